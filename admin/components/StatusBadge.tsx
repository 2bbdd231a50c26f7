// A ticket's status as a coloured badge (list and show pages).
import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Box, Label } from '@adminjs/design-system';

export const STATUS_STYLES: Record<string, { label: string; background: string; color: string }> = {
  pending: { label: 'Pending', background: '#fff4e5', color: '#8a4b00' },
  in_progress: { label: 'In progress', background: '#e7f0ff', color: '#0b4fb3' },
  resolved: { label: 'Resolved', background: '#e6f6ec', color: '#166534' },
  archived: { label: 'Archived', background: '#eeeeee', color: '#4b5563' },
};

export const Badge: React.FC<{ status: string }> = ({ status }) => {
  const style = STATUS_STYLES[status] ?? { label: status, background: '#eee', color: '#333' };
  return (
    <span
      data-testid="status-badge"
      data-status={status}
      style={{
        display: 'inline-block',
        padding: '2px 10px',
        borderRadius: 12,
        fontSize: 12,
        fontWeight: 600,
        background: style.background,
        color: style.color,
        whiteSpace: 'nowrap',
      }}
    >
      {style.label}
    </span>
  );
};

const StatusBadge: React.FC<BasePropertyProps> = ({ record, property, where, resource }) => {
  const { translateProperty } = useTranslation();
  const status = String(record?.params?.[property.path] ?? '');
  if (where === 'show') {
    return (
      <Box mb="xl">
        <Label>{translateProperty(property.path, resource.id)}</Label>
        <Badge status={status} />
      </Box>
    );
  }
  return <Badge status={status} />;
};

export default StatusBadge;

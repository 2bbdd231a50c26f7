// An enum field's value as a coloured badge (list and show pages): status, priority, … The
// colours come from the field declaration (property.custom.badges), the label from the locale.
import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Box, Label } from '@adminjs/design-system';

type Styles = Record<string, { background: string; color: string }>;

export const Badge: React.FC<{ path: string; value: string; label: string; styles?: Styles }> = ({
  path,
  value,
  label,
  styles,
}) => {
  const style = styles?.[value] ?? { background: '#eeeeee', color: '#333333' };
  return (
    <span
      data-testid={`${path}-badge`}
      data-value={value}
      data-status={path === 'status' ? value : undefined}
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
      {label}
    </span>
  );
};

const StatusBadge: React.FC<BasePropertyProps> = ({ record, property, where, resource }) => {
  const { translateProperty } = useTranslation();
  const value = String(record?.params?.[property.path] ?? '');
  const label = property.availableValues?.find((v) => v.value === value)?.label ?? value;
  const badge = (
    <Badge path={property.path} value={value} label={label} styles={property.custom?.badges as Styles | undefined} />
  );
  if (where === 'show') {
    return (
      <Box mb="xl">
        <Label>{translateProperty(property.path, resource.id)}</Label>
        {badge}
      </Box>
    );
  }
  return badge;
};

export default StatusBadge;

// Long text (message, notes) on the show page with its line breaks kept.
import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Box, Label } from '@adminjs/design-system';

const PreText: React.FC<BasePropertyProps> = ({ record, property, resource }) => {
  const { translateProperty } = useTranslation();
  const value = String(record?.params?.[property.path] ?? '');
  return (
    <Box mb="xl">
      <Label>{translateProperty(property.path, resource.id)}</Label>
      <div
        data-testid={`text-${property.path}`}
        style={{
          whiteSpace: 'pre-wrap',
          wordBreak: 'break-word',
          lineHeight: 1.5,
          color: value ? 'inherit' : '#6b7280',
        }}
      >
        {value || '—'}
      </div>
    </Box>
  );
};

export default PreText;

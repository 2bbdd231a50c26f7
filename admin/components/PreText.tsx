// Long text (message, notes) on the show page with its line breaks kept.
import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Box, Label } from '@adminjs/design-system';

const PreText: React.FC<BasePropertyProps> = ({ record, property }) => {
  const value = String(record?.params?.[property.path] ?? '');
  return (
    <Box mb="xl">
      <Label>{property.label}</Label>
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

// A user field (assigned to, resolved by, submitted by) on the list and show pages: the name, or a placeholder.
import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Box, Label, Text } from '@adminjs/design-system';

const Assignee: React.FC<BasePropertyProps> = ({ record, property, where, resource }) => {
  const { translateProperty } = useTranslation();
  // A user field's panel path is <prop>Id; its name is in the params as <prop>Name.
  const name = record?.params?.[property.path.replace(/Id$/, 'Name')] as string | null | undefined;
  const empty = String(property.custom?.empty ?? 'Unassigned');
  const value = name ? <span>{name}</span> : <span style={{ color: '#6b7280' }}>{empty}</span>;
  if (where === 'show') {
    return (
      <Box mb="xl">
        <Label>{translateProperty(property.path, resource.id)}</Label>
        <Text>{value}</Text>
      </Box>
    );
  }
  return value;
};

export default Assignee;

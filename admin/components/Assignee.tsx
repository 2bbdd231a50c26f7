// "Assigned to" on the list and show pages: the assignee's name, or Unassigned.
import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Box, Label, Text } from '@adminjs/design-system';

const Assignee: React.FC<BasePropertyProps> = ({ record, property, where, resource }) => {
  const { translateProperty } = useTranslation();
  const name = record?.params?.assignedToName as string | null | undefined;
  const value = name ? <span>{name}</span> : <span style={{ color: '#6b7280' }}>Unassigned</span>;
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

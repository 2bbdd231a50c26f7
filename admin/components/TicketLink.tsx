// A ticket id on a show page as a link to that ticket's workspace ("Follows up ticket": a customer
// who wrote after the reopen window, or to an archived ticket, starts a new ticket linked to the
// old one; the moderator opens the earlier conversation from here).
import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Box, Label } from '@adminjs/design-system';
import { rootPath } from './workspace-client.js';

const TicketLink: React.FC<BasePropertyProps> = ({ record, property, resource }) => {
  const { translateProperty } = useTranslation();
  const id = String(record?.params?.[property.path] ?? '');
  return (
    <Box mb="xl">
      <Label>{translateProperty(property.path, resource.id)}</Label>
      {id ? (
        <a
          data-testid={`link-${property.path}`}
          href={`${rootPath()}/resources/${resource.id}/records/${encodeURIComponent(id)}/show`}
        >
          Open the earlier ticket
        </a>
      ) : (
        <span style={{ color: '#6b7280' }}>—</span>
      )}
    </Box>
  );
};

export default TicketLink;

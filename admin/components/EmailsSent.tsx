// "Emails sent" on a ticket's show page: each email about the ticket with its latest state.
import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Box, Label } from '@adminjs/design-system';

type Email = {
  delivery_id: string;
  kind: string;
  recipient: string;
  status: string;
  attempts: number;
  at: string;
  error: string | null;
};

const KINDS: Record<string, string> = {
  contact_confirmation: 'Confirmation to the customer',
  contact_admin_notification: 'New-ticket alert to admins',
  contact_resolved: 'Resolved notice to the customer',
};

const COLORS: Record<string, string> = { queued: '#8a4b00', sent: '#166534', failed: '#b91c1c' };

const cell: React.CSSProperties = {
  padding: '6px 10px',
  borderBottom: '1px solid #e5e7eb',
  textAlign: 'left',
  fontSize: 13,
};

const EmailsSent: React.FC<BasePropertyProps> = ({ record, property, resource }) => {
  const { translateProperty } = useTranslation();
  const emails = ((): Email[] => {
    try {
      return JSON.parse(String(record?.params?.[property.path] ?? '[]')) as Email[];
    } catch {
      return [];
    }
  })();
  return (
    <Box mb="xl" data-testid="emails-sent">
      <Label>{translateProperty(property.path, resource.id)}</Label>
      {emails.length === 0 ? (
        <div style={{ color: '#6b7280' }}>No emails for this ticket.</div>
      ) : (
        <table style={{ borderCollapse: 'collapse', width: '100%' }}>
          <thead>
            <tr>
              {['Email', 'To', 'Status', 'Attempts', 'When', 'Error'].map((h) => (
                <th key={h} style={{ ...cell, fontWeight: 600 }}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {emails.map((e) => (
              <tr key={e.delivery_id}>
                <td style={cell}>{KINDS[e.kind] ?? e.kind}</td>
                <td style={cell}>{e.recipient || '(no recipient configured)'}</td>
                <td style={{ ...cell, color: COLORS[e.status] ?? 'inherit', fontWeight: 600 }}>{e.status}</td>
                <td style={cell}>{e.attempts}</td>
                <td style={cell}>{new Date(e.at).toLocaleString()}</td>
                <td style={cell}>{e.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Box>
  );
};

export default EmailsSent;

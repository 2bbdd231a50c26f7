// The ticket's "History" action: who changed what, when and through which path, with the emails
// about the ticket in the same timeline (newest first). Renders getTicketHistory's output, taken
// from the record (params.history, JSON) when the handler put it there, else fetched from this
// same record action (its handler returns { record, history }).
import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Loader } from '@adminjs/design-system';

type Change = { field: string; from: unknown; to: unknown };
type ChangeEntry = {
  type: 'change';
  id: string;
  at: string;
  actor: { id: string; name: string; email: string } | null;
  source: string;
  request_id: string | null;
  operation: 'insert' | 'update' | 'delete';
  changes: Change[];
};
type EmailEntry = {
  type: 'email';
  id: string;
  at: string;
  kind: string;
  recipient: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  error: string | null;
};
type MessageEntry = {
  type: 'message';
  id: string;
  at: string;
  source: string;
  kind: 'reply' | 'note' | 'customer';
  author_name: string;
  author_email: string;
};
/** A tag added to or removed from the ticket (ticket_tag_events). */
type TagEntry = {
  type: 'tag';
  id: string;
  at: string;
  actor: { id: string; name: string; email: string } | null;
  source: string;
  change: 'added' | 'removed';
  tag: string;
};
type History = {
  ticket_number: string | null;
  deleted: boolean;
  users: Record<string, { name: string; email: string }>;
  entries: Array<ChangeEntry | EmailEntry | MessageEntry | TagEntry>;
};

const MESSAGE_KINDS: Record<MessageEntry['kind'], string> = {
  reply: 'replied to the customer',
  note: 'added an internal note',
  customer: 'wrote (customer)',
};

const MessageItem: React.FC<{ entry: MessageEntry }> = ({ entry }) => (
  <div>
    <strong>{entry.author_name || entry.author_email}</strong> {MESSAGE_KINDS[entry.kind]}
    <span style={{ color: '#6b7280' }}> · {SOURCES[entry.source] ?? entry.source}</span>
  </div>
);

const TagItem: React.FC<{ entry: TagEntry }> = ({ entry }) => (
  <div>
    <strong>{entry.actor ? entry.actor.name || entry.actor.email : 'No signed-in user'}</strong>{' '}
    {entry.change === 'added' ? 'added the tag' : 'removed the tag'} <strong>{entry.tag}</strong>
    <span style={{ color: '#6b7280' }}> · {SOURCES[entry.source] ?? entry.source}</span>
  </div>
);

const OPERATIONS: Record<string, string> = { insert: 'created', update: 'changed', delete: 'deleted' };
const SOURCES: Record<string, string> = {
  api: 'REST API',
  admin: 'admin panel',
  worker: 'background worker',
  cli: 'command line',
  system: 'system',
  sql: 'direct SQL',
};
const EMAIL_KINDS: Record<string, string> = {
  contact_confirmation: 'Confirmation to the customer',
  contact_admin_notification: 'New-ticket alert to admins',
  contact_resolved: 'Resolved notice to the customer',
};
const EMAIL_COLORS: Record<string, string> = { queued: '#8a4b00', sent: '#166534', failed: '#b91c1c' };
const USER_FIELDS = new Set(['user_id', 'assigned_to_id', 'resolved_by_id']);

const muted: React.CSSProperties = { color: '#6b7280' };
const cell: React.CSSProperties = {
  padding: '4px 8px',
  borderBottom: '1px solid #e5e7eb',
  verticalAlign: 'top',
  fontSize: 13,
  whiteSpace: 'pre-wrap',
  wordBreak: 'break-word',
};

function parseHistory(raw: unknown): History | null {
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    return JSON.parse(raw) as History;
  } catch {
    return null;
  }
}

function showValue(field: string, value: unknown, users: History['users']): string {
  if (value === null || value === undefined) return '—';
  if (value === '') return '(empty)';
  if (USER_FIELDS.has(field) && typeof value === 'string' && users[value]) {
    return `${users[value].name} <${users[value].email}>`;
  }
  if (field.endsWith('_at') && typeof value === 'string') return new Date(value).toLocaleString();
  const text = String(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

const ChangeItem: React.FC<{ entry: ChangeEntry; users: History['users'] }> = ({ entry, users }) => (
  <div>
    <div>
      <strong>
        {entry.actor ? `${entry.actor.name || entry.actor.id} <${entry.actor.email}>` : 'No signed-in user'}
      </strong>{' '}
      {OPERATIONS[entry.operation] ?? entry.operation} the ticket via {SOURCES[entry.source] ?? entry.source}
      {entry.request_id ? <span style={muted}> · request {entry.request_id}</span> : null}
    </div>
    <table style={{ borderCollapse: 'collapse', width: '100%', marginTop: 4 }}>
      <thead>
        <tr style={muted}>
          <th style={{ ...cell, textAlign: 'left', fontWeight: 400 }}>Field</th>
          <th style={{ ...cell, textAlign: 'left', fontWeight: 400 }}>Before</th>
          <th style={{ ...cell, textAlign: 'left', fontWeight: 400 }}>After</th>
        </tr>
      </thead>
      <tbody>
        {entry.changes.map((c) => (
          <tr key={c.field} data-field={c.field}>
            <td style={{ ...cell, width: '20%', fontWeight: 600 }}>{c.field}</td>
            <td style={{ ...cell, width: '40%', color: '#b91c1c' }}>{showValue(c.field, c.from, users)}</td>
            <td style={{ ...cell, width: '40%', color: '#166534' }}>{showValue(c.field, c.to, users)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

const EmailItem: React.FC<{ entry: EmailEntry }> = ({ entry }) => (
  <div>
    <strong>Email</strong> {EMAIL_KINDS[entry.kind] ?? entry.kind} to {entry.recipient || '(no recipient)'}:{' '}
    <span style={{ color: EMAIL_COLORS[entry.status], fontWeight: 600 }}>{entry.status}</span>
    {entry.status === 'failed' && entry.error ? (
      <div style={{ ...muted, whiteSpace: 'pre-wrap' }}>{entry.error}</div>
    ) : null}
  </div>
);

const TicketHistory: React.FC<ActionProps> = ({ resource, record, action }) => {
  const [history, setHistory] = useState<History | null>(() => parseHistory(record?.params?.history));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (history || !record) return;
    new ApiClient()
      .recordAction({ resourceId: resource.id, recordId: String(record.id), actionName: action.name })
      .then((res) => {
        const data = res.data as { history?: History; notice?: { message: string } };
        if (data.history) setHistory(data.history);
        else setError(data.notice?.message ?? 'The history could not be loaded');
      })
      .catch(() => setError('The history could not be loaded'));
  }, [record?.id]);

  if (error) return <Box p="xl">{error}</Box>;
  if (!history) return <Loader />;
  return (
    <Box p="xl" data-testid="ticket-history">
      {history.deleted ? <p style={muted}>This ticket has been deleted; its history remains.</p> : null}
      {history.entries.length === 0 ? <p style={muted}>No recorded changes.</p> : null}
      <ol style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {history.entries.map((entry) => (
          <li
            key={`${entry.type}:${entry.id}`}
            data-entry-type={entry.type}
            style={{ borderLeft: '3px solid #d1d5db', padding: '8px 12px', marginBottom: 12 }}
          >
            <div style={{ ...muted, fontSize: 12 }}>{new Date(entry.at).toLocaleString()}</div>
            {entry.type === 'change' ? (
              <ChangeItem entry={entry} users={history.users} />
            ) : entry.type === 'email' ? (
              <EmailItem entry={entry} />
            ) : entry.type === 'tag' ? (
              <TagItem entry={entry} />
            ) : (
              <MessageItem entry={entry} />
            )}
          </li>
        ))}
      </ol>
    </Box>
  );
};

export default TicketHistory;

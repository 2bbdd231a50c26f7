// The ticket's thread in the workspace, oldest first: the customer's messages plain, staff replies
// tinted blue with their email's delivery state, internal notes shaded yellow and labelled so
// nobody mistakes one for something the customer saw. Messages that arrived after the ones the
// moderator had seen are marked "New".
import React from 'react';
import { absoluteTime, relativeTime, type Delivery, type ThreadMessage } from './workspace-client.js';
import { MessageFiles } from './WorkspaceFiles.js';

const LOOK: Record<ThreadMessage['kind'], { label: string; background: string; border: string }> = {
  submission: { label: 'Customer · original message', background: '#ffffff', border: '#94a3b8' },
  customer: { label: 'Customer', background: '#ffffff', border: '#94a3b8' },
  reply: { label: 'Reply to customer', background: '#eef4ff', border: '#3b63d6' },
  note: { label: 'Internal note', background: '#fff8d6', border: '#d9a400' },
};

const DELIVERY: Record<Delivery['status'], { text: string; color: string; background: string }> = {
  queued: { text: 'Email queued', color: '#8a4b00', background: '#fff1d6' },
  sent: { text: 'Email sent', color: '#166534', background: '#dcfce7' },
  failed: { text: 'Email failed', color: '#b91c1c', background: '#fee2e2' },
};

const chip = (color: string, background: string): React.CSSProperties => ({
  display: 'inline-block',
  padding: '1px 8px',
  borderRadius: 10,
  fontSize: 12,
  fontWeight: 600,
  color,
  background,
  whiteSpace: 'nowrap',
});

const DeliveryState: React.FC<{ delivery: Delivery | null }> = ({ delivery }) => {
  if (!delivery) return <span style={chip('#6b7280', '#f3f4f6')}>Not emailed yet</span>;
  const look = DELIVERY[delivery.status];
  const title =
    delivery.status === 'sent' && delivery.sent_at
      ? `Sent ${absoluteTime(delivery.sent_at)}`
      : `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`;
  return (
    <span data-testid="delivery-state" data-delivery={delivery.status} title={title} style={chip(look.color, look.background)}>
      {look.text}
    </span>
  );
};

const Message: React.FC<{ message: ThreadMessage; now: number; isNew: boolean }> = ({ message, now, isNew }) => {
  const look = LOOK[message.kind];
  const staff = message.author.type === 'staff';
  return (
    <li
      data-testid="thread-message"
      data-kind={message.kind}
      data-message-id={message.id}
      data-new={isNew ? 'true' : undefined}
      style={{
        background: look.background,
        border: '1px solid #e5e7eb',
        borderLeft: `4px solid ${look.border}`,
        borderRadius: 6,
        padding: '10px 14px',
        marginBottom: 12,
        // Staff messages sit a little to the right, customers' to the left: who said what at a glance.
        marginLeft: staff ? 48 : 0,
        marginRight: staff ? 0 : 48,
        boxShadow: isNew ? '0 0 0 2px #f59e0b' : undefined,
      }}
    >
      <div style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'baseline', gap: '4px 10px', marginBottom: 6 }}>
        <strong style={{ fontSize: 14 }}>{message.author.name || message.author.email}</strong>
        <span style={{ color: '#6b7280', fontSize: 12 }}>{message.author.email}</span>
        <span
          data-testid="message-label"
          style={{ fontSize: 12, fontWeight: 600, color: message.kind === 'note' ? '#7a5c00' : '#374151' }}
        >
          {look.label}
        </span>
        {isNew ? <span style={chip('#92400e', '#fde68a')}>New</span> : null}
        <span style={{ flex: 1 }} />
        {message.kind === 'reply' ? <DeliveryState delivery={message.delivery} /> : null}
        <time
          dateTime={message.created_at}
          title={absoluteTime(message.created_at)}
          data-testid="message-time"
          style={{ color: '#6b7280', fontSize: 12, whiteSpace: 'nowrap' }}
        >
          {relativeTime(message.created_at, now)}
        </time>
      </div>
      <div style={{ whiteSpace: 'pre-wrap', overflowWrap: 'break-word', fontSize: 14, lineHeight: 1.5 }}>
        {message.body_text}
      </div>
      <MessageFiles message={message} />
      {message.delivery?.status === 'failed' && message.delivery.error ? (
        <div data-testid="delivery-error" style={{ color: '#b91c1c', fontSize: 12, marginTop: 6, overflowWrap: 'break-word' }}>
          {message.delivery.error}
        </div>
      ) : null}
    </li>
  );
};

const WorkspaceThread: React.FC<{ messages: ThreadMessage[]; newIds: Set<string>; now: number }> = ({
  messages,
  newIds,
  now,
}) => (
  <ol data-testid="thread" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
    {messages.map((m) => (
      <Message key={m.id} message={m} now={now} isNew={newIds.has(m.id)} />
    ))}
  </ol>
);

export default WorkspaceThread;

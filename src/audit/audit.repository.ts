// SQL that reads the audit trail. Events are written only by the database triggers of the
// 20261127100000_audit_trail migration; nothing in the app writes, edits or deletes them.
import type pg from 'pg';
import { AUDIT_EVENT_SELECT } from '../contact/ticket.shape.js';
import type { AuditOperation, EventSource } from './audit.schema.js';

// The ticket fields a history shows, and which of them name users: derived from the ticket's
// field declarations (src/contact/ticket.fields.ts), like the snapshot columns read below.
export { USER_REFERENCE_FIELDS } from '../contact/ticket.shape.js';

export interface TicketEventRow extends Record<string, unknown> {
  event_id: string;
  event_at: Date;
  operation: AuditOperation;
  changed_fields: string[];
  actor_id: string | null;
  source: EventSource;
  request_id: string | null;
}

export async function loadTicketEvents(db: pg.Pool | pg.ClientBase, ticketId: string): Promise<TicketEventRow[]> {
  const { rows } = await db.query<TicketEventRow>(
    `SELECT event_id::text, event_at, operation, changed_fields, actor_id, source, request_id, ${AUDIT_EVENT_SELECT}
     FROM contact_submission_events e WHERE ticket_id = $1
     -- e.event_id: the bigint, not the text alias in the select list ("10" < "9").
     ORDER BY e.event_id`,
    [ticketId],
  );
  return rows;
}

export async function findTicketNumber(db: pg.Pool | pg.ClientBase, ticketId: string): Promise<string | null> {
  const { rows } = await db.query<{ ticket_number: string }>(
    'SELECT ticket_number FROM contact_submissions WHERE id = $1',
    [ticketId],
  );
  return rows[0]?.ticket_number ?? null;
}

export interface DeliveryRow {
  id: string;
  kind: string;
  recipient: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
}

/**
 * Deliveries about a ticket. Deleting a ticket sets their ticket_id to NULL but keeps the ticket
 * number, so a deleted ticket's emails are still found through it.
 */
export async function loadTicketDeliveries(
  db: pg.Pool | pg.ClientBase,
  ticketId: string,
  ticketNumber: string | null,
): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT id, kind, recipient, status, attempts, last_error, created_at, updated_at, sent_at
     FROM email_deliveries
     WHERE ticket_id = $1 OR (ticket_id IS NULL AND ticket_number = $2)
     ORDER BY created_at, recipient`,
    [ticketId, ticketNumber],
  );
  return rows;
}

/**
 * Name and email per user id. A deleted user is named from their last user event: events
 * outlive the users they mention.
 */
export async function resolveUserNames(
  db: pg.Pool | pg.ClientBase,
  ids: string[],
): Promise<Map<string, { name: string; email: string }>> {
  const out = new Map<string, { name: string; email: string }>();
  if (!ids.length) return out;
  const { rows } = await db.query<{ id: string; name: string; email: string }>(
    `SELECT ids.id, COALESCE(u.name, last_event.name) AS name, COALESCE(u.email, last_event.email)::text AS email
     FROM unnest($1::uuid[]) AS ids(id)
     LEFT JOIN users u ON u.id = ids.id
     LEFT JOIN LATERAL (
       SELECT e.name, e.email FROM user_events e WHERE u.id IS NULL AND e.user_id = ids.id
       ORDER BY e.event_id DESC LIMIT 1
     ) last_event ON true
     WHERE u.id IS NOT NULL OR last_event.name IS NOT NULL`,
    [[...new Set(ids)]],
  );
  for (const r of rows) out.set(r.id, { name: r.name, email: r.email });
  return out;
}

export interface EventListQuery {
  entity: 'ticket' | 'user';
  actorId?: string;
  source?: EventSource;
  entityId?: string;
  ticketNumber?: string;
  from?: string;
  to?: string;
  before?: bigint;
  limit: number;
}

export interface EventListRow {
  event_id: string;
  event_at: Date;
  entity_id: string;
  label: string;
  operation: AuditOperation;
  changed_fields: string[];
  actor_id: string | null;
  source: EventSource;
  request_id: string | null;
}

/** Newest first, keyset-paginated on event_id (stable while new events arrive). */
export async function listEvents(db: pg.Pool | pg.ClientBase, q: EventListQuery): Promise<EventListRow[]> {
  const table = q.entity === 'ticket' ? 'contact_submission_events' : 'user_events';
  const idColumn = q.entity === 'ticket' ? 'ticket_id' : 'user_id';
  const labelColumn = q.entity === 'ticket' ? 'ticket_number' : 'email::text';
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.actorId) add('actor_id = ?', q.actorId);
  if (q.source) add('source = ?', q.source);
  if (q.entityId) add(`${idColumn} = ?`, q.entityId);
  if (q.ticketNumber && q.entity === 'ticket') add('ticket_number = ?', q.ticketNumber);
  if (q.from) add('event_at >= ?', q.from);
  if (q.to) add('event_at <= ?', q.to);
  if (q.before !== undefined) add('event_id < ?', q.before.toString());
  params.push(q.limit);
  const { rows } = await db.query<EventListRow>(
    `SELECT event_id::text, event_at, ${idColumn} AS entity_id, ${labelColumn} AS label, operation,
       changed_fields, actor_id, source, request_id
     FROM ${table} e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY e.event_id DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

export interface MessageRow {
  id: string;
  kind: 'reply' | 'note' | 'customer';
  author_id: string | null;
  author_name: string;
  author_email: string;
  source: string;
  request_id: string | null;
  created_at: Date;
}

/** The ticket's thread messages (the audit record of what was said, by whom, through what). */
export async function loadTicketMessages(db: pg.Pool | pg.ClientBase, ticketId: string): Promise<MessageRow[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT id, kind::text AS kind, author_id, author_name, author_email, source, request_id, created_at
     FROM ticket_messages WHERE ticket_id = $1 ORDER BY created_at, id`,
    [ticketId],
  );
  return rows;
}

export interface TagEventRow {
  event_id: string;
  event_at: Date;
  operation: AuditOperation;
  actor_id: string | null;
  source: EventSource;
  request_id: string | null;
  tag_name: string;
}

/** Tags added to / removed from the ticket (ticket_tag_events, written by the ticket_tags triggers). */
export async function loadTicketTagEvents(db: pg.Pool | pg.ClientBase, ticketId: string): Promise<TagEventRow[]> {
  const { rows } = await db.query<TagEventRow>(
    `SELECT event_id::text AS event_id, event_at, operation, actor_id, source, request_id, tag_name
     FROM ticket_tag_events WHERE ticket_id = $1 ORDER BY event_id`,
    [ticketId],
  );
  return rows;
}

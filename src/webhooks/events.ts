// The events a change causes, queued in the change's own transaction. Every place that changes a
// ticket makes ONE call here (queueWebhookEvents): ticket creation (submit-writer.ts), changes
// (ticket-changes.ts applyChanges: single, bulk, portal and message paths alike), thread messages
// (conversation.service.ts, customer-message.ts) and ratings (portal/ratings.ts). One statement
// inserts a delivery row per subscribed endpoint and one dispatch job per endpoint, so a rolled-back
// change has sent nothing and a committed one cannot be lost.
//
// Cheap when nobody listens: which event types active endpoints subscribe to is cached for
// SUBSCRIPTION_TTL_MS per database (this process drops it whenever it changes an endpoint), so a
// submit with no webhooks configured costs no query at all.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  fieldByName,
  fields,
  mapTicketRow,
  TICKET_COLUMNS,
  TICKET_JOINS,
  toModeratorTicket,
} from '../contact/ticket.shape.js';
import { dispatchJobSql } from './repository.js';

export type WebhookEvent =
  | { type: 'ticket.created'; ticketId: string }
  | {
      type: 'ticket.updated';
      ticketId: string;
      /** The row before (columns by name) and the columns written. */
      before: Record<string, unknown>;
      set: Record<string, unknown>;
    }
  | { type: 'ticket.resolved'; ticketId: string }
  | { type: 'message.created'; ticketId: string; messageId: string }
  | { type: 'rating.created'; ticketId: string; ratingId: string };

/** ticket.updated for every change that wrote something, ticket.resolved for those that resolve. */
export function ticketChangeEvents(
  changes: Array<{ ticket: Record<string, unknown> & { id: string; status: string }; set: Record<string, unknown> }>,
): WebhookEvent[] {
  return changes.flatMap(({ ticket, set }): WebhookEvent[] => {
    if (!Object.keys(set).length) return [];
    const updated: WebhookEvent = { type: 'ticket.updated', ticketId: ticket.id, before: ticket, set };
    const resolves = set.status === 'resolved' && ticket.status !== 'resolved' && ticket.status !== 'archived';
    return resolves ? [updated, { type: 'ticket.resolved', ticketId: ticket.id }] : [updated];
  });
}

// --- who listens --------------------------------------------------------------------------------

const SUBSCRIPTION_TTL_MS = 2_000;
interface Subscriptions {
  at: number;
  types: Set<string>;
}
const subscriptions = new Map<string, Subscriptions>();

/** Forget what is cached (after this process created, changed or deleted an endpoint). */
export function invalidateSubscriptions(): void {
  subscriptions.clear();
}

async function subscribedTypes(client: pg.ClientBase): Promise<Set<string>> {
  const c = client as pg.ClientBase & { host?: string; port?: number; database?: string };
  const key = `${c.host}:${c.port}/${c.database}`;
  const cached = subscriptions.get(key);
  if (cached && performance.now() - cached.at < SUBSCRIPTION_TTL_MS) return cached.types;
  const { rows } = await client.query<{ type: string }>(
    'SELECT DISTINCT unnest(events) AS type FROM webhook_endpoints WHERE active',
  );
  const types = new Set(rows.map((r) => r.type));
  subscriptions.set(key, { at: performance.now(), types });
  return types;
}

// --- payloads -----------------------------------------------------------------------------------

/** The ticket as webhooks carry it: the exported fields (what a CSV export holds), REST-shaped. */
const payloadFields = fields.filter((f) => f.exported);
const internalKeys = new Set(payloadFields.filter((f) => f.internal).map((f) => jsonKeyOf(f.name)));

function jsonKeyOf(column: string): string {
  const f = fieldByName(column);
  return f?.type === 'user' ? f.json : column;
}

const jsonValue = (v: unknown) => (v instanceof Date ? v.toISOString() : (v ?? null));

function ticketJson(row: Record<string, unknown>): Record<string, unknown> {
  const all = toModeratorTicket(mapTicketRow(row));
  return Object.fromEntries(payloadFields.map((f) => [jsonKeyOf(f.name), all[jsonKeyOf(f.name)]]));
}

const withoutInternal = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !internalKeys.has(k)));

function changesJson(before: Record<string, unknown>, set: Record<string, unknown>) {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [col, to] of Object.entries(set)) {
    if (!fieldByName(col)?.exported) continue;
    out[jsonKeyOf(col)] = { from: jsonValue(before[col]), to: jsonValue(to) };
  }
  return out;
}

interface Variants {
  /** What endpoints without include_internal_notes get; null: nothing (the event is internal). */
  pub: Record<string, unknown> | null;
  internal: Record<string, unknown>;
}

async function loadRows(
  client: pg.ClientBase,
  sql: string,
  ids: string[],
): Promise<Map<string, Record<string, unknown>>> {
  if (!ids.length) return new Map();
  const { rows } = await client.query<Record<string, unknown> & { id: string }>(sql, [[...new Set(ids)]]);
  return new Map(rows.map((r) => [r.id, r]));
}

function variantsOf(
  e: WebhookEvent,
  ticket: Record<string, unknown>,
  messages: Map<string, Record<string, unknown>>,
  ratings: Map<string, Record<string, unknown>>,
): Variants | null {
  const full = ticketJson(ticket);
  const pubTicket = withoutInternal(full);
  switch (e.type) {
    case 'ticket.created':
    case 'ticket.resolved':
      return { pub: { ticket: pubTicket }, internal: { ticket: full } };
    case 'ticket.updated': {
      const changes = changesJson(e.before, e.set);
      const pubChanges = withoutInternal(changes);
      if (!Object.keys(changes).length) return null;
      return {
        pub: Object.keys(pubChanges).length ? { ticket: pubTicket, changes: pubChanges } : null,
        internal: { ticket: full, changes },
      };
    }
    case 'message.created': {
      const m = messages.get(e.messageId);
      if (!m) return null;
      const message = {
        id: m.id,
        kind: m.kind,
        author: {
          type: m.kind === 'customer' ? 'customer' : 'staff',
          id: m.author_id,
          name: m.author_name,
          email: m.author_email,
        },
        body_text: m.body_text,
        channel: m.channel,
        created_at: jsonValue(m.created_at),
      };
      return { pub: m.kind === 'note' ? null : { ticket: pubTicket, message }, internal: { ticket: full, message } };
    }
    case 'rating.created': {
      const r = ratings.get(e.ratingId);
      if (!r) return null;
      const rating = {
        id: r.id,
        score: r.score,
        comment: r.comment,
        resolved_at: jsonValue(r.resolved_at),
        created_at: jsonValue(r.created_at),
      };
      return { pub: { ticket: pubTicket, rating }, internal: { ticket: full, rating } };
    }
  }
}

/**
 * Queues the events' deliveries inside the caller's transaction. Returns how many delivery rows
 * were written (0 when no active endpoint subscribes to any of them).
 */
export async function queueWebhookEvents(client: pg.ClientBase, now: Date, events: WebhookEvent[]): Promise<number> {
  if (!events.length) return 0;
  const types = await subscribedTypes(client);
  const wanted = events.filter((e) => types.has(e.type));
  if (!wanted.length) return 0;
  // One client runs one query at a time: these are sequential (messages and ratings only when asked).
  const tickets = await loadRows(
    client,
    `SELECT ${TICKET_COLUMNS} FROM contact_submissions t ${TICKET_JOINS} WHERE t.id = ANY($1::uuid[])`,
    wanted.map((e) => e.ticketId),
  );
  const messages = await loadRows(
    client,
    `SELECT id, kind::text AS kind, author_id, author_name, author_email, body_text, channel, created_at
       FROM ticket_messages WHERE id = ANY($1::uuid[])`,
    wanted.flatMap((e) => (e.type === 'message.created' ? [e.messageId] : [])),
  );
  const ratings = await loadRows(
    client,
    'SELECT id, score::text AS score, comment, resolved_at, created_at FROM ticket_ratings WHERE id = ANY($1::uuid[])',
    wanted.flatMap((e) => (e.type === 'rating.created' ? [e.ratingId] : [])),
  );
  const timestamp = now.toISOString();
  const rows = wanted.flatMap((e) => {
    const ticket = tickets.get(e.ticketId);
    const v = ticket && variantsOf(e, ticket, messages, ratings);
    if (!v) return [];
    const body = (data: Record<string, unknown> | null) => (data ? { type: e.type, timestamp, data } : null);
    return [
      { event_id: randomUUID(), type: e.type, ticket_id: e.ticketId, pub: body(v.pub), internal: body(v.internal) },
    ];
  });
  if (!rows.length) return 0;
  const { rows: result } = await client.query<{ deliveries: number }>(
    `WITH ev AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(event_id uuid, type text, ticket_id uuid, pub jsonb, internal jsonb)
     ), ins AS (
       INSERT INTO webhook_deliveries (event_id, endpoint_id, event_type, ticket_id, payload, next_attempt_at, created_at)
       SELECT ev.event_id, w.id, ev.type, ev.ticket_id, p.payload, $2, $2
       FROM ev JOIN webhook_endpoints w ON w.active AND ev.type = ANY(w.events)
       CROSS JOIN LATERAL (SELECT CASE WHEN w.include_internal_notes THEN ev.internal ELSE ev.pub END AS payload) p
       WHERE p.payload IS NOT NULL
       RETURNING endpoint_id
     ), jobs AS (
       SELECT ${dispatchJobSql('x.endpoint_id')} AS job FROM (SELECT DISTINCT endpoint_id FROM ins) x
     )
     SELECT (SELECT count(*) FROM ins)::int AS deliveries, (SELECT count(*) FROM jobs)::int AS jobs`,
    [JSON.stringify(rows), now],
  );
  return result[0]?.deliveries ?? 0;
}

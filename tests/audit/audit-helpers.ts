// Reads the audit tables directly, so tests assert exactly what the triggers stored.
import type { AppContext } from '../../src/context.js';

export interface StoredEvent {
  event_id: string;
  operation: 'insert' | 'update' | 'delete';
  changed_fields: string[];
  actor_id: string | null;
  source: string;
  request_id: string | null;
  [column: string]: unknown;
}

export async function ticketEvents(ctx: AppContext, ticketId: string): Promise<StoredEvent[]> {
  const { rows } = await ctx.db.pool.query<StoredEvent>(
    `SELECT *, event_id::text AS event_id, host(ip_address) AS ip_address
     FROM contact_submission_events e WHERE ticket_id = $1 ORDER BY e.event_id`,
    [ticketId],
  );
  return rows;
}

export async function userEvents(ctx: AppContext, userId: string): Promise<StoredEvent[]> {
  const { rows } = await ctx.db.pool.query<StoredEvent>(
    `SELECT *, event_id::text AS event_id FROM user_events e WHERE user_id = $1 ORDER BY e.event_id`,
    [userId],
  );
  return rows;
}

/** The fields an insert/delete event lists for a ticket submitted through the public form. */
export const SUBMITTED_FIELDS = [
  'id',
  'ticket_number',
  'name',
  'email',
  'subject',
  'message',
  'category',
  'status',
  'created_at',
  'admin_notes',
  'resolution_notes',
  'ip_address',
  'user_agent',
  'priority',
  'channel',
  'language',
];

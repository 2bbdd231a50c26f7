// Presence on a ticket (collision guard): who else has the ticket open in the panel, and who is
// typing a reply. Each open workspace sends a heartbeat every few seconds; a row older than
// PRESENCE_TTL_MS counts as gone (a closed tab sends nothing more). Kept in PostgreSQL so that
// moderators on different server instances see each other.
//
// The heartbeat also answers with the thread's version: a stamp that changes whenever a message
// is added, a reply's delivery state moves or the ticket row changes. The workspace polls it and
// reloads the thread when it moves, so a customer's message appears without a page reload.
import { z } from 'zod';
import { requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { notFound } from '../errors.js';
import { assertUuid } from '../shared/ids.js';
import { strictKeys } from '../shared/input.js';

/** A heartbeat older than this is ignored: the page that sent it has closed or lost its connection. */
export const PRESENCE_TTL_MS = 20_000;
/** How often the workspace sends one (well inside the TTL, so one lost beat changes nothing). */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** Rows of closed pages are deleted by later heartbeats once this old. */
const PRUNE_AFTER_MS = 10 * 60_000;

export const PRESENCE_STATES = ['viewing', 'typing'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

export const heartbeatSchema = z.strictObject(
  {
    // 'left': the page closes; the others stop seeing this user at once instead of after the TTL.
    state: z.enum([...PRESENCE_STATES, 'left'], { error: 'must be viewing, typing or left' }),
  },
  strictKeys(),
);
export type HeartbeatInput = z.infer<typeof heartbeatSchema>;

export interface PresentStaff {
  userId: string;
  name: string;
  state: PresenceState;
  seenAt: Date;
}

export interface HeartbeatResult {
  /** The other staff on this ticket (never the caller), by name. */
  others: PresentStaff[];
  /** Changes whenever the thread or the ticket changes; compare with the previous answer. */
  threadVersion: string;
}

/** Records that `actor` has the ticket open (or is typing, or left) and returns who else is there. */
export async function heartbeat(
  ctx: AppContext,
  actor: Actor | null,
  ticketId: string,
  input: HeartbeatInput,
): Promise<HeartbeatResult> {
  requireStaff(actor);
  assertUuid(ticketId);
  const now = ctx.clock.now();
  const pool = ctx.db.pool;
  if (input.state === 'left') {
    await pool.query('DELETE FROM ticket_presence WHERE ticket_id = $1 AND user_id = $2', [ticketId, actor.id]);
  } else {
    try {
      await pool.query(
        `INSERT INTO ticket_presence (ticket_id, user_id, state, seen_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (ticket_id, user_id) DO UPDATE SET state = EXCLUDED.state, seen_at = EXCLUDED.seen_at`,
        [ticketId, actor.id, input.state, now],
      );
    } catch (err) {
      // The ticket was deleted (or never existed): the foreign key refuses the row.
      if ((err as { code?: string }).code === '23503') throw notFound('Ticket');
      throw err;
    }
  }
  // Bounded table without a sweeper job: any heartbeat removes long-dead rows (seen_at index).
  await pool.query('DELETE FROM ticket_presence WHERE seen_at < $1', [new Date(now.getTime() - PRUNE_AFTER_MS)]);
  const [others, threadVersion] = await Promise.all([
    presentStaff(ctx, actor, ticketId),
    readThreadVersion(ctx, ticketId),
  ]);
  return { others, threadVersion };
}

/** The staff other than `actor` with a live heartbeat on the ticket. */
export async function presentStaff(ctx: AppContext, actor: Actor | null, ticketId: string): Promise<PresentStaff[]> {
  requireStaff(actor);
  assertUuid(ticketId);
  const since = new Date(ctx.clock.now().getTime() - PRESENCE_TTL_MS);
  const { rows } = await ctx.db.pool.query<{ user_id: string; name: string; email: string; state: PresenceState; seen_at: Date }>(
    `SELECT p.user_id, u.name, u.email, p.state, p.seen_at
       FROM ticket_presence p JOIN users u ON u.id = p.user_id
      WHERE p.ticket_id = $1 AND p.user_id <> $2 AND p.seen_at > $3
        AND u.is_active AND u.role IN ('moderator', 'admin')
      ORDER BY u.name, u.email`,
    [ticketId, actor.id, since],
  );
  return rows.map((r) => ({ userId: r.user_id, name: r.name || r.email, state: r.state, seenAt: r.seen_at }));
}

/**
 * A stamp of everything the workspace shows: the messages (count and newest), the reply
 * deliveries (count and last change) and the ticket row (updated_at: status, assignee, …).
 */
async function readThreadVersion(ctx: AppContext, ticketId: string): Promise<string> {
  const { rows } = await ctx.db.pool.query<{ v: string | null }>(
    `SELECT concat_ws(':',
        (SELECT count(*) || '-' || coalesce(max(created_at)::text, '') FROM ticket_messages WHERE ticket_id = $1),
        (SELECT count(*) || '-' || coalesce(max(updated_at)::text, '') FROM email_deliveries
          WHERE ticket_id = $1 AND ticket_message_id IS NOT NULL),
        (SELECT updated_at::text FROM contact_submissions WHERE id = $1)) AS v`,
    [ticketId],
  );
  return rows[0]?.v ?? '';
}

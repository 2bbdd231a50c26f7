// Satisfaction: "Did this solve your problem?" (good / bad, an optional comment). Rules:
// - one rating per resolution: (ticket, the resolved_at it rates) is unique; a ticket reopened and
//   resolved again is rated afresh;
// - only a resolved (or archived) ticket can be rated; the answer can be changed for
//   RATING_CHANGE_DAYS after it was first given, then it is final (409 rating_locked);
// - the first time a rating is bad, the assignee is alerted by mail (the admins when nobody is
//   assigned), in the same transaction; flipping it back and forth alerts no one again.
// The customer acts through the ticket page (no actor; audited with source 'api').
import type pg from 'pg';
import { z } from 'zod';
import { requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { lockTickets } from '../contact/ticket-changes.js';
import { pgRunner } from '../db/sql.js';
import type { SnapshotQuery } from '../db/snapshot.js';
import { inPgTransaction } from '../db/tx.js';
import { AppError } from '../errors.js';
import { queueTicketMails } from '../mail/mail.queue.js';
import { queueWebhookEvents } from '../webhooks/events.js';
import { assertUuid } from '../shared/ids.js';
import { CONTROL_CHARS } from '../shared/text.js';

export const RATING_CHANGE_DAYS = 7;
export const RATING_SCORES = ['good', 'bad'] as const;
export type RatingScore = (typeof RATING_SCORES)[number];
const DAY_MS = 86_400_000;

export const ratingInputSchema = z.object({
  score: z.enum(RATING_SCORES, { error: 'must be good or bad' }),
  comment: z
    .string({ error: 'must be text' })
    .max(2000, 'must be at most 2000 characters')
    .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters')
    .optional(),
});
export type RatingInput = z.infer<typeof ratingInputSchema>;

export interface Rating {
  id: string;
  ticketId: string;
  resolvedAt: Date;
  score: RatingScore;
  comment: string;
  createdAt: Date;
  updatedAt: Date;
  /** Until when the customer may still change it. */
  changeableUntil: Date;
}

interface RatingRow {
  id: string;
  ticket_id: string;
  resolved_at: Date;
  score: RatingScore;
  comment: string;
  created_at: Date;
  updated_at: Date;
  alerted_at: Date | null;
}

const COLUMNS = 'id, ticket_id, resolved_at, score::text AS score, comment, created_at, updated_at, alerted_at';

const toRating = (r: RatingRow): Rating => ({
  id: r.id,
  ticketId: r.ticket_id,
  resolvedAt: r.resolved_at,
  score: r.score,
  comment: r.comment,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  changeableUntil: new Date(r.created_at.getTime() + RATING_CHANGE_DAYS * DAY_MS),
});

export const notResolved = () =>
  new AppError({ code: 'not_resolved', status: 409, message: 'The ticket is not resolved: nothing to rate' });
export const ratingLocked = () =>
  new AppError({
    code: 'rating_locked',
    status: 409,
    message: `A rating can be changed for ${RATING_CHANGE_DAYS} days; this one is final`,
  });

/** The rating of the ticket's current resolution, if any (what the ticket page shows). */
export async function currentRating(db: pg.Pool | pg.ClientBase, ticketId: string): Promise<Rating | null> {
  const { rows } = await db.query<RatingRow>(
    `SELECT ${COLUMNS.split(', ')
      .map((c) => `r.${c}`)
      .join(', ')} FROM ticket_ratings r
     JOIN contact_submissions t ON t.id = r.ticket_id AND t.resolved_at = r.resolved_at
     WHERE r.ticket_id = $1 AND t.status IN ('resolved', 'archived')`,
    [ticketId],
  );
  return rows[0] ? toRating(rows[0]) : null;
}

/** Records (or changes) the customer's answer for the ticket's current resolution. */
export async function rateTicket(
  ctx: AppContext,
  ticketId: string,
  input: RatingInput,
  meta: { requestId?: string | null },
): Promise<Rating> {
  return inPgTransaction(ctx.db, { actorId: null, source: 'api', requestId: meta.requestId }, async (client) => {
    const [ticket] = await lockTickets(client, [ticketId]);
    const resolvedAt = ticket?.resolved_at as Date | null | undefined;
    if (!ticket || !resolvedAt || (ticket.status !== 'resolved' && ticket.status !== 'archived')) throw notResolved();
    const now = ctx.clock.now();
    const { rows: existing } = await client.query<RatingRow>(
      `SELECT ${COLUMNS} FROM ticket_ratings WHERE ticket_id = $1 AND resolved_at = $2 FOR UPDATE`,
      [ticketId, resolvedAt],
    );
    let result: pg.QueryResult<RatingRow>;
    if (existing[0]) {
      if (now.getTime() > toRating(existing[0]).changeableUntil.getTime()) throw ratingLocked();
      result = await client.query<RatingRow>(
        `UPDATE ticket_ratings SET score = $2::"RatingScore", comment = COALESCE($3, comment), updated_at = $4
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [existing[0].id, input.score, input.comment ?? null, now],
      );
    } else {
      // Counted for whoever resolved it (else the assignee) at the time of the rating.
      result = await client.query<RatingRow>(
        `INSERT INTO ticket_ratings (ticket_id, resolved_at, score, comment, moderator_id, created_at, updated_at)
         VALUES ($1, $2, $3::"RatingScore", $4, COALESCE($5::uuid, $6::uuid), $7, $7) RETURNING ${COLUMNS}`,
        [ticketId, resolvedAt, input.score, input.comment ?? '', ticket.resolved_by_id, ticket.assigned_to_id, now],
      );
    }
    const row = result.rows[0]!;
    // rating.created once per resolution's rating; a changed answer within the window is not a new one.
    if (!existing[0]) await queueWebhookEvents(client, now, [{ type: 'rating.created', ticketId, ratingId: row.id }]);
    if (row.score === 'bad' && !row.alerted_at) {
      const assignee = await client.query<{ email: string }>(
        `SELECT email::text AS email FROM users WHERE id = $1 AND is_active AND role IN ('moderator', 'admin')`,
        [ticket.assigned_to_id],
      );
      await queueTicketMails(pgRunner(client), [
        {
          ticketId,
          ticketNumber: ticket.ticket_number,
          kind: 'rating_bad_alert',
          // Nobody (active) assigned: every active admin.
          recipients: assignee.rows[0] ? [assignee.rows[0].email] : null,
        },
      ]);
      await client.query('UPDATE ticket_ratings SET alerted_at = $2 WHERE id = $1', [row.id, now]);
    }
    return toRating(row);
  });
}

/** Every rating of a ticket, newest first (the panel, REST). */
export async function listTicketRatings(ctx: AppContext, actor: Actor | null, ticketId: string): Promise<Rating[]> {
  requireStaff(actor);
  assertUuid(ticketId);
  const { rows } = await ctx.db.pool.query<RatingRow>(
    `SELECT ${COLUMNS} FROM ticket_ratings WHERE ticket_id = $1 ORDER BY resolved_at DESC`,
    [ticketId],
  );
  return rows.map(toRating);
}

export interface CsatWindow {
  good: number;
  bad: number;
  /** good / (good + bad) in percent, one decimal; null without ratings. */
  percent: number | null;
}

export interface CsatStats {
  last7d: CsatWindow;
  last30d: CsatWindow;
  byModerator30d: Array<{ id: string; name: string; email: string } & CsatWindow>;
}

const csat = (good: number, bad: number): CsatWindow => ({
  good,
  bad,
  percent: good + bad ? Math.round((1000 * good) / (good + bad)) / 10 : null,
});

/**
 * CSAT over the ratings given in the last 7 and 30 days, and per moderator over 30 days, as parts
 * of a snapshot read (stats/overview); the function returned reads them back.
 */
export function addCsatParts(q: SnapshotQuery, now: Date): (row: Record<string, unknown>) => CsatStats {
  const ago = (days: number) => q.p(new Date(now.getTime() - days * DAY_MS));
  const [from7, from30, to] = [ago(7), ago(30), q.p(now)];
  q.add(
    'csat_totals',
    `SELECT count(*) FILTER (WHERE score = 'good' AND created_at >= ${from7}::timestamptz)::int AS g7,
       count(*) FILTER (WHERE score = 'bad' AND created_at >= ${from7}::timestamptz)::int AS b7,
       count(*) FILTER (WHERE score = 'good')::int AS g30, count(*) FILTER (WHERE score = 'bad')::int AS b30
     FROM ticket_ratings WHERE created_at >= ${from30}::timestamptz AND created_at <= ${to}::timestamptz`,
  ).add(
    'csat_moderators',
    `SELECT u.id, u.name, u.email::text AS email, r.good, r.bad
     FROM (SELECT moderator_id, count(*) FILTER (WHERE score = 'good')::int AS good,
             count(*) FILTER (WHERE score = 'bad')::int AS bad
           FROM ticket_ratings WHERE created_at >= ${from30}::timestamptz AND created_at <= ${to}::timestamptz
             AND moderator_id IS NOT NULL
           GROUP BY moderator_id) r
     JOIN users u ON u.id = r.moderator_id
     ORDER BY u.name, u.id`,
  );
  return (row) => {
    const t = (row.csat_totals as Array<{ g7: number; b7: number; g30: number; b30: number }>)[0]!;
    const per = row.csat_moderators as Array<{ id: string; name: string; email: string; good: number; bad: number }>;
    return {
      last7d: csat(t.g7, t.b7),
      last30d: csat(t.g30, t.b30),
      byModerator30d: per.map((r) => ({ id: r.id, name: r.name, email: r.email, ...csat(r.good, r.bad) })),
    };
  };
}

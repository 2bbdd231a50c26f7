// The morning digest: one email per active moderator / admin per local day (DIGEST_HOUR in the
// SLA calendar's time zone) listing their open tickets, what is breaching soon and the new
// unassigned tickets. Opt-out: users.digest_opt_out (profile). The digest_runs row for
// (user, day) is written in the transaction that queues the mail, so the 10-minute cron sends at
// most one per user and day. Nothing to report: the run is recorded, no mail goes out.
//
// The mail goes through the ticket mail pipeline anchored on one ticket of the digest (as the
// "find my tickets" mail is); its content is read when it is sent (digestFor), so it is current.
import { DateTime } from 'luxon';
import type { AppContext } from '../context.js';
import { inPgTransaction } from '../db/tx.js';
import { MAIL_MAX_ATTEMPTS } from '../mail/mail.queue.js';
import { ticketPanelUrl } from '../shared/panel-links.js';
import { currentClock, describeClock } from './sla.policy.js';
import { loadSlaSettings } from './sla.service.js';

/** A digest missed at DIGEST_HOUR (worker down) still goes out within this many hours after it. */
const CATCH_UP_HOURS = 3;
const LIST_MAX = 20;
const OPEN = `t.status IN ('pending', 'in_progress')`;
/** A running clock of ticket `t` due before `by` (SQL). */
const dueBy = (by: string) => `((t.sla_first_response_at IS NULL AND t.sla_first_response_due_at <= ${by})
  OR (t.sla_paused_since IS NULL AND t.sla_resolution_due_at <= ${by}))`;
/** In the digest of `user` (SQL): their open tickets, and unassigned ones that are new or breaching. */
const inDigest = (user: string, by: string, now: string) => `${OPEN} AND (t.assigned_to_id = ${user}
  OR (t.assigned_to_id IS NULL AND (t.created_at >= ${now}::timestamptz - interval '1 day' OR ${dueBy(by)})))`;

export interface DigestItem {
  ticketNumber: string;
  subject: string;
  url: string;
  sla: string;
}

export interface DigestData {
  name: string;
  mine: DigestItem[];
  mineTotal: number;
  breaching: DigestItem[];
  unassigned: DigestItem[];
  unassignedTotal: number;
}

/** Queues today's digests that are due. Returns the number of mails queued. */
export async function sendDigests(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const { calendar } = await loadSlaSettings(ctx.db.pool);
  const local = DateTime.fromJSDate(now, { zone: calendar.timeZone });
  const hour = ctx.config.DIGEST_HOUR;
  if (local.hour < hour || local.hour >= hour + CATCH_UP_HOURS) return 0;
  return inPgTransaction(ctx.db, { actorId: null, source: 'system' }, async (client) => {
    const { rows } = await client.query<{ queued: number }>(
      `WITH staff AS (
         SELECT id, email::text AS email FROM users
         WHERE role IN ('moderator', 'admin') AND is_active AND NOT digest_opt_out
       ), runs AS (
         INSERT INTO digest_runs (user_id, day, created_at) SELECT id, $3::date, $2 FROM staff
         ON CONFLICT DO NOTHING RETURNING user_id
       ), anchored AS (
         SELECT s.email, a.id AS ticket_id, a.ticket_number
         FROM runs r JOIN staff s ON s.id = r.user_id
         CROSS JOIN LATERAL (
           SELECT t.id, t.ticket_number FROM contact_submissions t
           WHERE ${inDigest('s.id', '$1', '$2')} ORDER BY t.created_at DESC LIMIT 1
         ) a
       ), deliveries AS (
         INSERT INTO email_deliveries (id, ticket_id, ticket_number, kind, recipient, updated_at)
         SELECT gen_random_uuid(), ticket_id, ticket_number, 'moderator_digest', email, now() FROM anchored
         RETURNING id, kind::text AS kind
       )
       SELECT count(graphile_worker.add_job(kind, json_build_object('deliveryId', id),
         job_key := 'mail:' || kind || ':' || id, max_attempts := $4::int))::int AS queued
       FROM deliveries`,
      [horizon(now), now, local.toISODate(), MAIL_MAX_ATTEMPTS],
    );
    return rows[0]?.queued ?? 0;
  });
}

/** "Breaching soon" in a digest: due within the working day ahead (24 h), or already breached. */
const horizon = (now: Date) => new Date(now.getTime() + 86_400_000);

interface Row {
  ticket_number: string;
  id: string;
  subject: string;
  status: string;
  assigned_to_id: string | null;
  created_at: Date;
  sla_first_response_due_at: Date | null;
  sla_first_response_at: Date | null;
  sla_resolution_due_at: Date | null;
  sla_paused_since: Date | null;
  breaching: boolean;
}

/** The digest of the staff member with this address, as of now (null: no such active user). */
export async function digestFor(ctx: AppContext, email: string): Promise<DigestData | null> {
  const now = ctx.clock.now();
  const user = await ctx.db.pool.query<{ id: string; name: string }>(
    `SELECT id, name FROM users WHERE email = $1 AND is_active`,
    [email],
  );
  const u = user.rows[0];
  if (!u) return null;
  const { rows } = await ctx.db.pool.query<Row>(
    `SELECT t.id, t.ticket_number, t.subject, t.status::text AS status, t.assigned_to_id, t.created_at,
       t.sla_first_response_due_at, t.sla_first_response_at, t.sla_resolution_due_at, t.sla_paused_since,
       ${dueBy('$2')} AS breaching
     FROM contact_submissions t WHERE ${inDigest('$1', '$2', '$3')}
     ORDER BY LEAST(CASE WHEN t.sla_first_response_at IS NULL THEN t.sla_first_response_due_at END,
       CASE WHEN t.sla_paused_since IS NULL THEN t.sla_resolution_due_at END) NULLS LAST, t.created_at
     LIMIT 500`,
    [u.id, horizon(now), now],
  );
  const item = (r: Row): DigestItem => ({
    ticketNumber: r.ticket_number,
    subject: r.subject,
    url: ticketPanelUrl(ctx.config.publicUrl, r.id),
    sla: describeClock(
      currentClock(
        {
          status: r.status,
          slaFirstResponseDueAt: r.sla_first_response_due_at,
          slaFirstResponseAt: r.sla_first_response_at,
          slaResolutionDueAt: r.sla_resolution_due_at,
          slaPausedSince: r.sla_paused_since,
        },
        now,
      ),
    ),
  });
  const mine = rows.filter((r) => r.assigned_to_id === u.id);
  const dayAgo = now.getTime() - 86_400_000;
  const unassigned = rows.filter((r) => !r.assigned_to_id && r.created_at.getTime() >= dayAgo);
  return {
    name: u.name,
    mine: mine.slice(0, LIST_MAX).map(item),
    mineTotal: mine.length,
    breaching: rows
      .filter((r) => r.breaching)
      .slice(0, LIST_MAX)
      .map(item),
    unassigned: unassigned.slice(0, LIST_MAX).map(item),
    unassignedTotal: unassigned.length,
  };
}

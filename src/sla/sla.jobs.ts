// The SLA cron tasks (registered in src/jobs/sweeps.ts): alerts before and at breach, the
// auto-archive of resolved tickets and the morning digest. Each is idempotent: the once-only
// records (sla_alerts, digest_runs) are written in the same statement / transaction that queues
// the mails, so a second run, a retry or a second worker sends nothing twice.
import type { AppContext } from '../context.js';
import { MAIL_MAX_ATTEMPTS } from '../mail/mail.queue.js';
import { autoArchiveResolved } from './auto-archive.js';
import { sendDigests } from './digest.js';
import { recomputeOpenTickets } from './sla.service.js';
import { RECOMPUTE_TASK } from './sla.settings.js';

/** The crontab tasks (src/jobs/sweeps.ts); sla_recompute_open is queued by a settings change. */
export const SLA_TASKS = ['sla_alerts', 'sla_auto_archive', 'sla_digest'] as const;

/**
 * Breaches older than this are not announced (a priority lowered on a months-old ticket, a
 * worker that was down for days): an alert is about something that can still be acted on.
 */
const STALE_BREACH_HOURS = 24;

/**
 * Queues the alerts that are due: a warning SLA_WARN_MINUTES before a running clock's due time, a
 * breach alert once it has passed (only the breach when the warning window was missed). To the
 * assignee when active, else to every active admin. Returns the number of mails queued.
 */
export async function sweepSlaAlerts(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const { rows } = await ctx.db.pool.query<{ queued: number }>(
    `WITH due AS (
       SELECT t.id, t.ticket_number, t.assigned_to_id, x.target, x.due_at,
         CASE WHEN x.due_at <= $1 THEN 'breach' ELSE 'warning' END AS kind
       FROM contact_submissions t
       CROSS JOIN LATERAL (VALUES
         ('first_response', CASE WHEN t.sla_first_response_at IS NULL THEN t.sla_first_response_due_at END),
         ('resolution', CASE WHEN t.sla_paused_since IS NULL THEN t.sla_resolution_due_at END)
       ) AS x(target, due_at)
       WHERE t.status IN ('pending', 'in_progress')
         AND ((t.sla_first_response_at IS NULL AND t.sla_first_response_due_at <= $2)
              OR t.sla_resolution_due_at <= $2)
         AND x.due_at <= $2 AND x.due_at > $1 - make_interval(hours => $4)
     ), alerts AS (
       INSERT INTO sla_alerts (ticket_id, target, kind, due_at, created_at)
       SELECT id, target, kind, due_at, $1 FROM due
       ON CONFLICT DO NOTHING
       RETURNING ticket_id, target, kind
     ), recipients AS (
       SELECT a.ticket_id, a.target, a.kind, d.ticket_number, r.email
       FROM alerts a JOIN due d ON d.id = a.ticket_id AND d.target = a.target
       CROSS JOIN LATERAL (
         SELECT u.email::text FROM users u WHERE u.id = d.assigned_to_id AND u.is_active
         UNION ALL
         SELECT u.email::text FROM users u WHERE u.role = 'admin' AND u.is_active
           AND NOT EXISTS (SELECT 1 FROM users x WHERE x.id = d.assigned_to_id AND x.is_active)
       ) AS r(email)
     ), deliveries AS (
       INSERT INTO email_deliveries (id, ticket_id, ticket_number, kind, recipient, sla_target, updated_at)
       SELECT gen_random_uuid(), ticket_id, ticket_number, ('sla_' || kind)::"EmailKind", email, target, now()
       FROM recipients
       RETURNING id, kind::text AS kind
     )
     SELECT count(graphile_worker.add_job(kind, json_build_object('deliveryId', id),
       job_key := 'mail:' || kind || ':' || id, max_attempts := $3::int))::int AS queued
     FROM deliveries`,
    [now, new Date(now.getTime() + ctx.config.SLA_WARN_MINUTES * 60_000), MAIL_MAX_ATTEMPTS, STALE_BREACH_HOURS],
  );
  return rows[0]?.queued ?? 0;
}

export function createSlaTasks(
  ctx: AppContext,
): Record<(typeof SLA_TASKS)[number] | typeof RECOMPUTE_TASK, () => Promise<void>> {
  const run = (task: string, fn: () => Promise<number>) => async () => {
    const n = await fn();
    if (n > 0) ctx.logger.info({ task, count: n }, 'sla task done');
  };
  return {
    sla_alerts: run('sla_alerts', () => sweepSlaAlerts(ctx)),
    sla_auto_archive: run('sla_auto_archive', () => autoArchiveResolved(ctx)),
    sla_digest: run('sla_digest', () => sendDigests(ctx)),
    // After a calendar or policy change: every open ticket's due times again, in batches.
    [RECOMPUTE_TASK]: run(RECOMPUTE_TASK, () => recomputeOpenTickets(ctx.db, ctx.clock.now())),
  };
}

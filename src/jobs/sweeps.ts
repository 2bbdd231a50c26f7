// Periodic upkeep, run by graphile-worker's cron in every worker: no request pays for it and
// nothing depends on chance. Each task is idempotent and cheap, so it does not matter which
// worker runs it or that several workers run the crontab: graphile schedules each (task, minute)
// once per database (known_crontabs), and a run that finds nothing to do deletes nothing.
import { parseCrontab, type ParsedCronItem, type TaskList } from 'graphile-worker';
import { sweepLoginThrottles } from '../auth/login-throttle.js';
import { sweepRateLimitCounters } from '../contact/rate-limit.js';
import { compactTicketCounts } from '../contact/ticket-counts.js';
import type { AppContext } from '../context.js';
import { compactTicketStats } from '../stats/ticket-stats.js';
import { pruneWebhookDeliveries, sweepWebhooks } from '../webhooks/jobs.js';
import { createSlaTasks, SLA_TASKS } from '../sla/sla.jobs.js';
import { purgeRawMails, startRetentionErasure } from '../privacy/retention.js';
import { compactTagCounts } from '../tags/repository.js';

export const SWEEP_TASKS = [
  'compact_ticket_counts',
  'compact_ticket_stats',
  'compact_tag_counts',
  'sweep_rate_limit_counters',
  'sweep_login_throttles',
  'sweep_webhooks',
  'prune_webhook_deliveries',
  // SLA alerts, auto-archive and the morning digest (src/sla/sla.jobs.ts).
  ...SLA_TASKS,
  // RETENTION_DAYS / RAW_MAIL_DAYS (src/privacy/retention.ts).
  'privacy_retention',
  'privacy_raw_mail_purge',
] as const;

/**
 * When each runs. `max=1`: a failed sweep is not retried, the next tick does the same work.
 * `jobKey`: a backlog (e.g. mail after an outage) holds at most one waiting run of each.
 * Ticket totals and per-day stats are folded every minute so that reads add up only a minute of
 * deltas.
 */
export const SWEEP_CRONTAB = `
* * * * * compact_ticket_counts ?max=1&jobKey=sweep:compact_ticket_counts
* * * * * compact_ticket_stats ?max=1&jobKey=sweep:compact_ticket_stats
* * * * * compact_tag_counts ?max=1&jobKey=sweep:compact_tag_counts
*/10 * * * * sweep_rate_limit_counters ?max=1&jobKey=sweep:rate_limit_counters
17 * * * * sweep_login_throttles ?max=1&jobKey=sweep:login_throttles
* * * * * sweep_webhooks ?max=1&jobKey=sweep:webhooks
51 * * * * prune_webhook_deliveries ?max=1&jobKey=sweep:prune_webhook_deliveries
* * * * * sla_alerts ?max=1&jobKey=sweep:sla_alerts
23 * * * * sla_auto_archive ?max=1&jobKey=sweep:sla_auto_archive
*/10 * * * * sla_digest ?max=1&jobKey=sweep:sla_digest
37 3 * * * privacy_retention ?max=1&jobKey=sweep:privacy_retention
43 * * * * privacy_raw_mail_purge ?max=1&jobKey=sweep:privacy_raw_mail_purge
`;

export function sweepCronItems(): ParsedCronItem[] {
  return parseCrontab(SWEEP_CRONTAB);
}

export function createSweepTasks(ctx: AppContext): TaskList {
  const run = (name: string, sweep: () => Promise<number>) => async () => {
    const removed = await sweep();
    if (removed > 0) ctx.logger.debug({ task: name, removed }, 'sweep done');
  };
  return {
    compact_ticket_counts: run('compact_ticket_counts', () => compactTicketCounts(ctx.db)),
    compact_ticket_stats: run('compact_ticket_stats', () => compactTicketStats(ctx.db)),
    // Open tickets per tag (stats/overview open_by_tag), src/tags/repository.ts.
    compact_tag_counts: run('compact_tag_counts', () => compactTagCounts(ctx.db)),
    sweep_rate_limit_counters: run('sweep_rate_limit_counters', () => sweepRateLimitCounters(ctx.db, ctx.clock.now())),
    sweep_login_throttles: run('sweep_login_throttles', () => sweepLoginThrottles(ctx.db, ctx.clock.now())),
    // Endpoints with due webhook deliveries but no dispatch job (a crashed worker): queued again.
    sweep_webhooks: run('sweep_webhooks', () => sweepWebhooks(ctx)),
    // Delivery history older than WEBHOOK_DELIVERY_RETENTION_DAYS.
    prune_webhook_deliveries: run('prune_webhook_deliveries', () => pruneWebhookDeliveries(ctx)),
    ...createSlaTasks(ctx),
    // Nightly: starts the erasure of tickets archived longer than RETENTION_DAYS (same path as a person's).
    privacy_retention: run('privacy_retention', async () => ((await startRetentionErasure(ctx)) ? 1 : 0)),
    // Hourly, so raw mail bytes never outlive RAW_MAIL_DAYS by much.
    privacy_raw_mail_purge: run('privacy_raw_mail_purge', () => purgeRawMails(ctx)),
  } satisfies Record<(typeof SWEEP_TASKS)[number], TaskList[string]>;
}

// Delivering webhooks: one graphile job per endpoint (job key webhook:<endpoint id>) drains that
// endpoint's due deliveries in batches — claim (lease), POST with WEBHOOK_CONCURRENCY requests in
// flight, record every result in one statement — and schedules itself again for the earliest
// retry. A job per delivery would add the job queue's fetch and completion (two round trips and
// a commit) to every message; batching per endpoint keeps fan-out close to the speed of the raw
// HTTP client (bench/webhooks.ts: 0.9× a bare keep-alive node:http loop).
//
// Guarantees: at least once, the same webhook-id on every attempt (receivers de-duplicate on
// it). A claimed delivery is leased, not locked: a worker that dies mid-send leaves rows whose
// lease runs out and the minute sweep (sweep_webhooks) queues their endpoint again.
import type { Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { withPgTransaction } from '../db/tx.js';
import { pgRunner } from '../db/sql.js';
import { queueWebhookDisabledMail } from '../mail/mail.queue.js';
import { DISPATCH_TASK, dispatchJobSql, findEndpoint, type EndpointRow } from './repository.js';
import { postWebhook, type AttemptResult } from './sender.js';
import { activeSecrets, signatureHeaders, webhookId } from './signing.js';

const BATCH = 100;
const SECOND = 1000;
const HOUR = 3600 * SECOND;
/** A delivery is attempted for a day after its event; an endpoint failing for a day is disabled. */
export const RETRY_WINDOW_MS = 24 * HOUR;
export const DISABLE_AFTER_MS = 24 * HOUR;
const MAX_DELAY_MS = 8 * HOUR;

/** Back-off after the n-th failed attempt: 5 s, 20 s, 80 s, 5 min, 21 min, 85 min, 5.7 h, then 8 h. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(5 * SECOND * 4 ** Math.max(0, failedAttempts - 1), MAX_DELAY_MS);
}

interface Claimed {
  id: string;
  event_id: string;
  body: string;
  attempts: number;
  created_at: Date;
}

export interface DispatchSummary {
  delivered: number;
  retrying: number;
  failed: number;
  disabled: boolean;
}

async function claim(ctx: AppContext, endpointId: string, now: Date): Promise<Claimed[]> {
  const rounds = Math.ceil(BATCH / ctx.config.WEBHOOK_CONCURRENCY);
  const lease = new Date(now.getTime() + rounds * (ctx.config.WEBHOOK_TIMEOUT_MS + SECOND) + 30 * SECOND);
  const { rows } = await ctx.db.pool.query<Claimed>(
    `UPDATE webhook_deliveries d SET status = 'sending', attempts = d.attempts + 1, last_attempt_at = $2, locked_until = $3
     FROM (SELECT id FROM webhook_deliveries
           WHERE endpoint_id = $1 AND status IN ('pending', 'sending') AND next_attempt_at <= $2
             AND (status = 'pending' OR locked_until < $2)
           ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED) c
     WHERE d.id = c.id
     RETURNING d.id, d.event_id, d.payload::text AS body, d.attempts, d.created_at`,
    [endpointId, now, lease],
  );
  return rows;
}

/** Runs `fn` over the items with at most `limit` at once. */
async function eachLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

function outcome(d: Claimed, r: AttemptResult, now: Date) {
  if (r.ok) return { status: 'delivered', next: null };
  const delay =
    r.retryAfterSeconds !== null
      ? Math.min(Math.max(r.retryAfterSeconds * SECOND, SECOND), MAX_DELAY_MS)
      : retryDelayMs(d.attempts);
  const next = new Date(now.getTime() + delay);
  const inWindow = next.getTime() <= d.created_at.getTime() + RETRY_WINDOW_MS;
  return r.retryable && inWindow ? { status: 'pending', next } : { status: 'failed', next: null };
}

async function record(
  ctx: AppContext,
  claimed: Claimed[],
  results: AttemptResult[],
  now: Date,
): Promise<DispatchSummary> {
  const rows = claimed.map((d, i) => {
    const r = results[i]!;
    const o = outcome(d, r, now);
    return {
      id: d.id,
      status: o.status,
      next_attempt_at: o.next?.toISOString() ?? null,
      response_status: r.status,
      response_body: r.body,
      duration_ms: r.durationMs,
      last_error: r.error,
    };
  });
  await ctx.db.pool.query(
    `UPDATE webhook_deliveries d SET status = r.status::"WebhookDeliveryStatus", next_attempt_at = r.next_attempt_at,
       locked_until = NULL, response_status = r.response_status, response_body = r.response_body,
       duration_ms = r.duration_ms, last_error = r.last_error,
       delivered_at = CASE WHEN r.status = 'delivered' THEN $2::timestamptz ELSE d.delivered_at END
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, status text, next_attempt_at timestamptz, response_status int,
       response_body text, duration_ms int, last_error text)
     WHERE d.id = r.id`,
    [JSON.stringify(rows), now],
  );
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  return { delivered: count('delivered'), retrying: count('pending'), failed: count('failed'), disabled: false };
}

/**
 * Endpoint health after a batch: any success clears `failing_since`; only failures start it (or
 * keep it). Failing for DISABLE_AFTER_MS disables the endpoint and mails its admin (the one who
 * registered it, else every active admin) in the same transaction. Returns whether it was disabled.
 */
async function updateHealth(ctx: AppContext, endpoint: EndpointRow, anyOk: boolean, now: Date): Promise<boolean> {
  if (anyOk) {
    if (endpoint.failing_since)
      await ctx.db.pool.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1', [endpoint.id]);
    return false;
  }
  return withPgTransaction(ctx.db, async (client) => {
    const { rows } = await client.query<{ disabled: boolean; admin: string | null }>(
      `UPDATE webhook_endpoints w SET failing_since = COALESCE(w.failing_since, $2),
         active = CASE WHEN w.failing_since <= $3 THEN false ELSE w.active END,
         disabled_at = CASE WHEN w.failing_since <= $3 THEN $2 ELSE w.disabled_at END,
         disabled_reason = CASE WHEN w.failing_since <= $3 THEN 'every delivery failed for 24 hours' ELSE w.disabled_reason END
       WHERE w.id = $1 AND w.active
       RETURNING NOT w.active AS disabled,
         (SELECT u.email::text FROM users u WHERE u.id = w.created_by_id AND u.is_active AND u.role = 'admin') AS admin`,
      [endpoint.id, now, new Date(now.getTime() - DISABLE_AFTER_MS)],
    );
    const r = rows[0];
    if (!r?.disabled) return false;
    await queueWebhookDisabledMail(pgRunner(client), endpoint.id, r.admin ? [r.admin] : null);
    ctx.logger.warn({ endpointId: endpoint.id }, 'webhook endpoint disabled after a day of failed deliveries');
    return true;
  });
}

/** Delivers everything due for one endpoint, then schedules the endpoint's next retry. */
export async function dispatchEndpoint(ctx: AppContext, endpointId: string): Promise<DispatchSummary> {
  const total: DispatchSummary = { delivered: 0, retrying: 0, failed: 0, disabled: false };
  for (;;) {
    // Re-read each round: a rotation or a deactivation applies from the next batch.
    const endpoint = await findEndpoint(ctx.db.pool, endpointId);
    if (!endpoint?.active) return total;
    const now = ctx.clock.now();
    const claimed = await claim(ctx, endpointId, now);
    if (!claimed.length) break;
    const secrets = activeSecrets(
      {
        secret: endpoint.secret,
        previousSecret: endpoint.previous_secret,
        previousSecretExpiresAt: endpoint.previous_secret_expires_at,
      },
      now,
    );
    const sendOpts = {
      timeoutMs: ctx.config.WEBHOOK_TIMEOUT_MS,
      production: ctx.config.isProduction,
      allowPrivate: ctx.config.WEBHOOK_ALLOW_PRIVATE,
    };
    const results = await eachLimited(claimed, ctx.config.WEBHOOK_CONCURRENCY, (d) =>
      postWebhook(endpoint.url, signatureHeaders(secrets, webhookId(d.event_id), now, d.body), d.body, sendOpts),
    );
    const done = ctx.clock.now();
    const summary = await record(ctx, claimed, results, done);
    total.delivered += summary.delivered;
    total.retrying += summary.retrying;
    total.failed += summary.failed;
    if (
      await updateHealth(
        ctx,
        endpoint,
        results.some((r) => r.ok),
        done,
      )
    ) {
      total.disabled = true;
      return total;
    }
    if (claimed.length < BATCH) break;
  }
  // The earliest retry: the job comes back then (preserve_run_at: a run queued for now by new
  // events in the meantime stays now).
  const now = ctx.clock.now();
  await ctx.db.pool.query(
    `SELECT ${dispatchJobSql('$1::uuid', `now() + make_interval(secs => GREATEST(0, extract(epoch FROM (n.at - $2::timestamptz))))`, 'preserve_run_at')}
     FROM (SELECT min(next_attempt_at) AS at FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending') n
     WHERE n.at IS NOT NULL`,
    [endpointId, now],
  );
  return total;
}

/** Every minute: endpoints with due work get a dispatch job (after a crash, a lost job). */
export async function sweepWebhooks(ctx: AppContext): Promise<number> {
  const { rows } = await ctx.db.pool.query<{ n: number }>(
    `SELECT count(${dispatchJobSql('e.id')})::int AS n FROM webhook_endpoints e
     WHERE e.active AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = e.id
       AND d.status IN ('pending', 'sending') AND d.next_attempt_at <= $1 AND (d.status = 'pending' OR d.locked_until < $1))`,
    [ctx.clock.now()],
  );
  return rows[0]?.n ?? 0;
}

const PRUNE_BATCH = 5_000;

/**
 * Hourly: deletes delivered and failed deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS (by
 * event time), a batch per statement so a large backlog never holds locks for long; returns how
 * many. Walks each endpoint's (endpoint_id, created_at) index: endpoints are few.
 */
export async function pruneWebhookDeliveries(ctx: AppContext): Promise<number> {
  const days = ctx.config.WEBHOOK_DELIVERY_RETENTION_DAYS;
  if (days === 0) return 0;
  const cutoff = new Date(ctx.clock.now().getTime() - days * 86_400_000);
  let total = 0;
  for (;;) {
    const { rowCount } = await ctx.db.pool.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT d.id FROM webhook_endpoints e
         CROSS JOIN LATERAL (SELECT id FROM webhook_deliveries
           WHERE endpoint_id = e.id AND created_at < $1 AND status IN ('delivered', 'failed') LIMIT $2) d
         LIMIT $2)`,
      [cutoff, PRUNE_BATCH],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < PRUNE_BATCH) return total;
  }
}

const payloadSchema = z.object({ endpointId: z.uuid() });

export function createWebhookTasks(ctx: AppContext): TaskList {
  const dispatch: Task = async (payload, helpers) => {
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) throw new Error(`${DISPATCH_TASK}: invalid job payload: ${z.prettifyError(parsed.error)}`);
    const logger = ctx.logger.child({ jobId: helpers.job.id, task: DISPATCH_TASK, endpointId: parsed.data.endpointId });
    const summary = await dispatchEndpoint({ ...ctx, logger }, parsed.data.endpointId);
    if (summary.delivered + summary.retrying + summary.failed) logger.debug(summary, 'webhook deliveries attempted');
  };
  // The minute sweep (sweepWebhooks) runs from src/jobs/sweeps.ts's crontab.
  return { [DISPATCH_TASK]: dispatch };
}

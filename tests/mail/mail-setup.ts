// Shared arrangement for the mail tests: an app on its own database, a real SMTP sink, and (when
// asked) a worker sending to it.
import type { AppContext } from '../../src/context.js';
import { startWorker, type WorkerHandle, type WorkerOptions } from '../../src/jobs/worker.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';

export interface MailTestEnv {
  t: TestApp;
  ctx: AppContext;
  sink: SmtpSink;
  worker?: WorkerHandle;
  close(): Promise<void>;
}

export const MAIL_FROM = 'ContactDesk Support <support@contactdesk.test>';

export async function mailTestEnv(
  opts: { env?: Record<string, string>; worker?: WorkerOptions | false } = {},
): Promise<MailTestEnv> {
  const sink = await startSmtpSink();
  const t = await createTestApp({
    env: { SMTP_URL: sink.url, MAIL_FROM, SUPPORT_RESPONSE_TIME: 'within 2 business days', ...opts.env },
  });
  const worker = opts.worker === false ? undefined : await startWorker(t.ctx, { concurrency: 2, ...opts.worker });
  return {
    t,
    ctx: t.ctx,
    sink,
    worker,
    async close() {
      await worker?.stop();
      await sink.stop();
      await t.close();
    },
  };
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Resolves once nothing can send another mail: no job is running or can still run (the queue holds
 * at most jobs that used up their attempts) and no delivery is still queued. An "exactly once"
 * assertion made after this is final; a sleep before it only made a duplicate unlikely to be seen.
 */
export async function waitForQueueDrained(ctx: AppContext): Promise<void> {
  await waitUntil(async () => {
    const { rows } = await ctx.db.pool.query<{ runnable: number; queued: number }>(
      `SELECT
         (SELECT count(*) FROM graphile_worker.jobs WHERE attempts < max_attempts OR locked_by IS NOT NULL)::int AS runnable,
         (SELECT count(*) FROM email_deliveries WHERE status = 'queued')::int AS queued`,
    );
    return rows[0]!.runnable === 0 && rows[0]!.queued === 0;
  }, 'the mail queue drained (no runnable job, no queued delivery)');
}

export interface DeliveryRow {
  id: string;
  kind: string;
  recipient: string;
  status: string;
  attempts: number;
  last_error: string | null;
  message_id: string | null;
  sent_at: Date | null;
}

export async function deliveriesOf(ctx: AppContext, ticketId: string): Promise<DeliveryRow[]> {
  const { rows } = await ctx.db.pool.query<DeliveryRow>(
    `SELECT id, kind::text AS kind, recipient, status::text AS status, attempts, last_error, message_id, sent_at
     FROM email_deliveries WHERE ticket_id = $1 ORDER BY kind, recipient`,
    [ticketId],
  );
  return rows;
}

export interface JobRow {
  id: string;
  task_identifier: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  last_error: string | null;
  key: string | null;
}

/** graphile-worker jobs still in the queue (a completed job is deleted). */
export async function queuedJobs(ctx: AppContext): Promise<JobRow[]> {
  const { rows } = await ctx.db.pool.query<JobRow>(
    `SELECT id, task_identifier, attempts, max_attempts, locked_by, last_error, key FROM graphile_worker.jobs ORDER BY id`,
  );
  return rows;
}

/** Makes every waiting job due now, instead of waiting out graphile's exponential back-off. */
export async function makeJobsDueNow(ctx: AppContext): Promise<void> {
  await ctx.db.pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE locked_at IS NULL`);
}

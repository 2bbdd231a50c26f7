// graphile-worker tasks, one per email kind. A task checks its payload and hands the delivery to
// the service; the job's attempt counters decide when a failure becomes final. With a backlog, a
// task also takes over more waiting jobs of its kind and sends them alongside (job-batch.ts).
import type { JobHelpers, Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { adoptJobs, MAIL_BATCH_EXTRA, reportAdoptedJobs, type AdoptedJob } from './job-batch.js';
import { EMAIL_KINDS, type EmailKind } from './mail.queue.js';
import { deliverEmail, type MailDeps } from './mail.service.js';

// `ticketId` lets the claim statement make the customer link at once; jobs queued before the
// payload named it still work (the link is then made in a statement of its own).
export const mailJobPayloadSchema = z.object({ deliveryId: z.uuid(), ticketId: z.uuid().nullish() });
export type MailJobPayload = z.infer<typeof mailJobPayloadSchema>;

interface MailJob {
  id: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

/** Runs one job's delivery; throws what the job should fail with. */
async function runMailJob(ctx: AppContext, deps: MailDeps, kind: EmailKind, job: MailJob): Promise<void> {
  const parsed = mailJobPayloadSchema.safeParse(job.payload);
  if (!parsed.success) {
    // Retrying cannot fix a malformed payload; throwing keeps it visible in the queue with the reason.
    throw new Error(`${kind}: invalid job payload ${JSON.stringify(job.payload)}: ${z.prettifyError(parsed.error)}`);
  }
  // Every line this job logs (service, transport) carries the job id and task.
  const logger = ctx.logger.child({ jobId: job.id, task: kind });
  await deliverEmail(
    { ...ctx, logger },
    deps,
    parsed.data.deliveryId,
    { attempt: job.attempts, maxAttempts: job.max_attempts },
    { kind, ticketId: parsed.data.ticketId ?? undefined },
  );
}

function mailTask(ctx: AppContext, deps: MailDeps, kind: EmailKind): Task {
  return async (payload: unknown, helpers: JobHelpers) => {
    const { job } = helpers;
    // Its own delivery starts at once (an idle worker's pickup latency stays what it was); the
    // outcome is held, not awaited yet, so a failure cannot go unhandled meanwhile.
    const own = runMailJob(ctx, deps, kind, { ...job, payload }).then(
      () => null,
      (err: unknown) => ({ err }),
    );
    const poolId = job.locked_by;
    let adopted: AdoptedJob[] = [];
    if (poolId) {
      try {
        adopted = await adoptJobs(ctx.db.pool, kind, poolId, job.id, MAIL_BATCH_EXTRA);
      } catch (err) {
        ctx.logger.warn(
          { err, jobId: job.id, task: kind },
          'could not take over more mail jobs; sending this one alone',
        );
      }
    }
    if (adopted.length) {
      // Each taken-over job succeeds or fails on its own, exactly as if graphile had run it.
      const outcomes = await Promise.allSettled(adopted.map((a) => runMailJob(ctx, deps, kind, a)));
      const done: string[] = [];
      const failed: Array<{ id: string; message: string }> = [];
      outcomes.forEach((o, i) => {
        const id = adopted[i]!.id;
        if (o.status === 'fulfilled') done.push(id);
        else failed.push({ id, message: String((o.reason as Error)?.message ?? o.reason) });
      });
      try {
        await reportAdoptedJobs(ctx.db.pool, poolId!, done, failed, ctx.logger);
      } catch (err) {
        // Left locked by this pool: released with it (restart, or the dead-worker sweep).
        ctx.logger.error({ err, done, failed: failed.map((f) => f.id) }, 'could not report taken-over mail jobs');
      }
    }
    const outcome = await own;
    if (outcome) throw outcome.err;
  };
}

/** The task list for the worker: task identifier = email kind (what mail.queue.ts queues). */
export function createMailTasks(ctx: AppContext, deps: MailDeps): TaskList {
  return Object.fromEntries(EMAIL_KINDS.map((kind) => [kind, mailTask(ctx, deps, kind)]));
}

// graphile-worker tasks, one per email kind. A task only checks its payload and hands the delivery
// to the service; the job's attempt counters decide when a failure becomes final.
import type { JobHelpers, Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { EMAIL_KINDS, type EmailKind } from './mail.queue.js';
import { deliverEmail, type MailDeps } from './mail.service.js';

export const mailJobPayloadSchema = z.object({ deliveryId: z.uuid() });
export type MailJobPayload = z.infer<typeof mailJobPayloadSchema>;

function mailTask(ctx: AppContext, deps: MailDeps, kind: EmailKind): Task {
  return async (payload: unknown, helpers: JobHelpers) => {
    const parsed = mailJobPayloadSchema.safeParse(payload);
    if (!parsed.success) {
      // Retrying cannot fix a malformed payload; throwing keeps it visible in the queue with the reason.
      throw new Error(`${kind}: invalid job payload ${JSON.stringify(payload)}: ${z.prettifyError(parsed.error)}`);
    }
    // Every line this job logs (service, transport) carries the job id and task.
    const logger = ctx.logger.child({ jobId: helpers.job.id, task: kind });
    await deliverEmail({ ...ctx, logger }, deps, parsed.data.deliveryId, {
      attempt: helpers.job.attempts,
      maxAttempts: helpers.job.max_attempts,
    });
  };
}

/** The task list for the worker: task identifier = email kind (what mail.queue.ts queues). */
export function createMailTasks(ctx: AppContext, deps: MailDeps): TaskList {
  return Object.fromEntries(EMAIL_KINDS.map((kind) => [kind, mailTask(ctx, deps, kind)]));
}

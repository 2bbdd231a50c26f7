// The graphile task that processes a stored inbound mail (queued by inbound.store.ts), together
// with the other mails waiting (inbound.batch.ts). It checks the payload and hands over; every
// outcome is recorded on the mail, failures included, so a job only fails (and is retried by
// graphile) when the database itself was unreachable.
import type { Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { runInboundJob } from './inbound.batch.js';
import { INBOUND_TASK } from './inbound.store.js';

/** One mail (an admin's retry, jobs stored before batches) or the mails stored together. */
export const inboundJobPayloadSchema = z.union([
  z.object({ inboundMailId: z.uuid() }),
  z.object({ inboundMailIds: z.array(z.uuid()).min(1).max(100) }),
]);

export function createInboundTasks(ctx: AppContext): TaskList {
  const task: Task = async (payload, helpers) => {
    const parsed = inboundJobPayloadSchema.safeParse(payload);
    if (!parsed.success) {
      throw new Error(
        `${INBOUND_TASK}: invalid job payload ${JSON.stringify(payload)}: ${z.prettifyError(parsed.error)}`,
      );
    }
    const logger = ctx.logger.child({ jobId: helpers.job.id, task: INBOUND_TASK });
    const ids = 'inboundMailIds' in parsed.data ? parsed.data.inboundMailIds : [parsed.data.inboundMailId];
    await runInboundJob({ ...ctx, logger }, ids, {
      finalAttempt: helpers.job.attempts >= helpers.job.max_attempts,
      signal: helpers.abortSignal,
    });
  };
  return { [INBOUND_TASK]: task };
}

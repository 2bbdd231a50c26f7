// The erasure job (registered in src/jobs/worker.ts). The nightly retention tasks are sweeps on
// the crontab in src/jobs/sweeps.ts, calling retention.ts.
// One job runs the erasure's steps one after another in its own worker slot, pausing
// ERASURE_BATCH_PAUSE_MS between them so live traffic keeps its share of the database. It keeps
// its slot rather than re-queueing itself after every step: a successor job would queue behind
// every mail waiting at that moment, and a mail backlog would stall the erasure. When the worker
// shuts down (graphile aborts the job's signal) the next step queues the successor in its own
// transaction and the job ends; a crash leaves the job to the dead-worker sweep. Either way the
// stored phase and to-do list say where to go on.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Task } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { ERASURE_TASK, erasureJobPayload } from './schema.js';
import { recordErasureError, runErasureStep } from './service.js';

export function createPrivacyTasks(ctx: AppContext): Record<string, Task> {
  const erase: Task = async (payload, helpers) => {
    const { erasureId } = erasureJobPayload.parse(payload);
    const signal = helpers.abortSignal;
    try {
      for (;;) {
        const stopping = signal?.aborted ?? false;
        const outcome = await runErasureStep(ctx, erasureId, { requeue: stopping });
        if (outcome !== 'more' || stopping) return;
        const pause = ctx.config.ERASURE_BATCH_PAUSE_MS;
        if (pause > 0) await sleep(pause, undefined, { signal }).catch(() => {});
      }
    } catch (err) {
      const final = helpers.job.attempts >= helpers.job.max_attempts;
      await recordErasureError(ctx, erasureId, err, final).catch(() => {});
      throw err;
    }
  };
  return { [ERASURE_TASK]: erase };
}

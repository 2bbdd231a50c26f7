// The erasure job (registered in src/jobs/worker.ts). The nightly retention tasks are sweeps on
// the crontab in src/jobs/sweeps.ts, calling retention.ts.
// The erasure job runs steps for a slice of time, pausing ERASURE_BATCH_PAUSE_MS between them so
// live traffic keeps its share of the database, then hands over to a fresh job (queued in the
// last step's transaction): a graceful worker stop never waits long, and the queue stays fair.
import type { Task } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { ERASURE_TASK, erasureJobPayload } from './schema.js';
import { recordErasureError, runErasureStep } from './service.js';

/** How long one erasure job runs steps before handing over to the next. */
const SLICE_MS = 5_000;

export function createPrivacyTasks(ctx: AppContext): Record<string, Task> {
  const erase: Task = async (payload, helpers) => {
    const { erasureId } = erasureJobPayload.parse(payload);
    const sliceEnds = Date.now() + SLICE_MS;
    try {
      for (;;) {
        const last = Date.now() >= sliceEnds;
        const outcome = await runErasureStep(ctx, erasureId, { requeue: last });
        if (outcome !== 'more' || last) return;
        const pause = ctx.config.ERASURE_BATCH_PAUSE_MS;
        if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      }
    } catch (err) {
      const final = helpers.job.attempts >= helpers.job.max_attempts;
      await recordErasureError(ctx, erasureId, err, final).catch(() => {});
      throw err;
    }
  };
  return { [ERASURE_TASK]: erase };
}

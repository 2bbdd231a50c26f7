// A mail job that finds more jobs of its kind waiting takes them over and sends them with its own,
// so a backlog costs a few database round trips per batch instead of ~4 per mail (bench/email.ts).
//
// Taking over a job is exactly what graphile-worker's own job fetch does (getJobs.js in 0.17): in
// one statement, lock ready jobs with `FOR UPDATE SKIP LOCKED`, count the attempt and set
// `locked_by` to this worker pool. From then on the job is this pool's as if graphile had fetched
// it, so everything that guards a fetched job guards it too:
// - no other worker (or slot) can run it, and each delivery still claims its own row
//   (mail.service.ts), so two workers never send one delivery twice;
// - a crash leaves it locked by a dead pool, which the dead-worker sweeper releases
//   (src/jobs/worker-liveness.ts) like the jobs graphile itself was running;
// - the attempt and max_attempts rules are the job's, as for a fetched job: a failed delivery's job
//   is unlocked with graphile's own back-off (failJobs.js) and retried alone; a successful one is
//   deleted, as graphile deletes a completed job.
// Only ready, queue-less, flag-less jobs of the same task are taken. The statements touch
// graphile's private job table, so they are pinned to the schema of graphile-worker 0.17.
import type pg from 'pg';
import type { Logger } from '../logger.js';

/** Jobs one mail job takes over at most (its own comes on top). */
export const MAIL_BATCH_EXTRA = 19;

/** Reporting a taken-over job is retried like marking a mail sent (~45 s, outlasting a restart). */
const REPORT_ATTEMPTS = 9;
const REPORT_MAX_DELAY_MS = 10_000;

export interface AdoptedJob {
  id: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

/** Locks up to `limit` more ready jobs of `task` for pool `poolId` (as graphile's fetch would). */
export async function adoptJobs(
  pool: pg.Pool,
  task: string,
  poolId: string,
  ownJobId: string,
  limit: number,
): Promise<AdoptedJob[]> {
  const { rows } = await pool.query<AdoptedJob>({
    name: 'mail-adopt-jobs',
    text: `WITH j AS (
       SELECT jobs.id FROM graphile_worker._private_jobs AS jobs
       WHERE jobs.is_available = true AND jobs.run_at <= now()
         AND jobs.task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = $2)
         AND jobs.job_queue_id IS NULL AND jobs.flags IS NULL AND jobs.id <> $3::bigint
       ORDER BY jobs.priority ASC, jobs.run_at ASC
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     UPDATE graphile_worker._private_jobs AS jobs
     SET attempts = jobs.attempts + 1, locked_by = $1::text, locked_at = now()
     FROM j WHERE jobs.id = j.id
     RETURNING jobs.id::text AS id, jobs.payload, jobs.attempts, jobs.max_attempts`,
    values: [poolId, task, ownJobId, limit],
  });
  return rows;
}

/**
 * Reports taken-over jobs: the done ones are deleted, the failed ones unlocked with their error and
 * graphile's back-off (`run_at` + e^attempts seconds). Only rows still locked by `poolId` are
 * touched: if the pool was given up on meanwhile, its jobs were released and run elsewhere.
 */
export async function reportAdoptedJobs(
  pool: pg.Pool,
  poolId: string,
  done: string[],
  failed: Array<{ id: string; message: string }>,
  logger: Logger,
): Promise<void> {
  if (!done.length && !failed.length) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query({
        name: 'mail-report-adopted',
        text: `WITH done AS (
           DELETE FROM graphile_worker._private_jobs WHERE id = ANY($2::bigint[]) AND locked_by = $1::text
         )
         UPDATE graphile_worker._private_jobs AS jobs
         SET last_error = f.message,
           run_at = greatest(now(), jobs.run_at) + (exp(least(jobs.attempts, 10)) * interval '1 second'),
           locked_by = NULL, locked_at = NULL
         FROM unnest($3::bigint[], $4::text[]) AS f(id, message)
         WHERE jobs.id = f.id AND jobs.locked_by = $1::text`,
        values: [poolId, done, failed.map((f) => f.id), failed.map((f) => f.message)],
      });
      return;
    } catch (err) {
      // Not reported, the jobs stay locked by this pool: a done one would only re-run and find its
      // delivery sent, a failed one would wait for the pool to be released. So keep trying first.
      if (attempt >= REPORT_ATTEMPTS) throw err;
      logger.warn({ err, attempt }, 'could not report taken-over mail jobs yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, REPORT_MAX_DELAY_MS)));
    }
  }
}

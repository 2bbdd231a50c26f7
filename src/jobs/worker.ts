// The job worker: graphile-worker running the mail tasks and the periodic sweeps (sweeps.ts).
// Runs inside `npm start` (WORKER_INLINE=true, the default) or alone (`npm run worker`); any
// number of workers on one database share the jobs (graphile locks each job with SKIP LOCKED).
// New jobs arrive by LISTEN/NOTIFY; the short poll interval only matters for retries scheduled
// in the future.
import { EventEmitter } from 'node:events';
import { run, type Runner, type WorkerEvents, type WorkerPool } from 'graphile-worker';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { createDb, type Db, type DbOptions } from '../db/client.js';
import { createInboundTasks } from '../inbound/inbound.jobs.js';
import { INBOUND_TASK } from '../inbound/inbound.store.js';
import { createMailTasks } from '../mail/mail.jobs.js';
import { createPortalTasks } from '../portal/find-tickets.js';
import { createPrivacyTasks } from '../privacy/jobs.js';
import { ERASURE_TASK } from '../privacy/schema.js';
import { createWebhookTasks } from '../webhooks/jobs.js';
import { DISPATCH_TASK } from '../webhooks/repository.js';
import { EMAIL_KINDS } from '../mail/mail.queue.js';
import type { DeliveryHooks } from '../mail/mail.service.js';
import { preloadTemplates } from '../mail/templates.js';
import { createMailTransport, limitConcurrentSends, type MailTransport } from '../mail/transport.js';
import { graphileLogger } from './graphile-logger.js';
import { createSweepTasks, sweepCronItems } from './sweeps.js';
import { registerLiveness, startDeadWorkerSweeper, type LivenessRegistration } from './worker-liveness.js';

/** application_name of the worker's sessions (pg_stat_activity tells them from the web's). */
export const WORKER_APPLICATION_NAME = 'contactdesk-worker';

/** Connections of the worker's own pool: WORKER_DB_POOL_SIZE, or one per job plus fixed overhead. */
export function workerPoolSize(config: Pick<Config, 'WORKER_CONCURRENCY' | 'WORKER_DB_POOL_SIZE'>): number {
  return config.WORKER_DB_POOL_SIZE ?? config.WORKER_CONCURRENCY + 4;
}

/**
 * The worker's own connection pool. Never the web's: LISTEN and the liveness lock hold two
 * connections for good and every running job uses one, so a mail backlog on a shared pool
 * would leave web requests waiting for a connection (503s). server.ts, worker.ts and the tests
 * all make it here.
 */
export function createWorkerDb(
  databaseUrl: string,
  config: Pick<Config, 'WORKER_CONCURRENCY' | 'WORKER_DB_POOL_SIZE'>,
  opts: Pick<DbOptions, 'connectionTimeoutMillis'> = {},
): Db {
  return createDb(databaseUrl, {
    ...opts,
    max: workerPoolSize(config),
    applicationName: WORKER_APPLICATION_NAME,
    releaseDeadClients: false,
  });
}

/**
 * The worker inside `npm start` (WORKER_INLINE): the web's context, but its own pool
 * (createWorkerDb), closed after the worker stopped.
 */
export async function startInlineWorker(
  ctx: AppContext,
  databaseUrl: string,
  opts: WorkerOptions = {},
): Promise<WorkerHandle> {
  const db = createWorkerDb(databaseUrl, ctx.config);
  let worker: WorkerHandle;
  try {
    worker = await startWorker({ ...ctx, db }, opts);
  } catch (err) {
    await db.close();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    get poolId() {
      return worker.poolId;
    },
    sweepDeadWorkers: () => worker.sweepDeadWorkers(),
    stop: () => (stopped ??= worker.stop().finally(() => db.close())),
  };
}

/** How long finished jobs are collected before one statement deletes them all (see `launch`). */
const COMPLETE_BATCH_DELAY_MS = 10;

/** A pool whose job fetches have all failed for this long is replaced (see `launch`). */
const FETCH_FAILURE_LIMIT_MS = 5_000;

export interface WorkerOptions {
  /** Jobs run at once by this process (default WORKER_CONCURRENCY). */
  concurrency?: number;
  /** Milliseconds between polls for jobs scheduled in the future (retries). */
  pollInterval?: number;
  /** How often dead workers' job locks are looked for (default one minute). */
  lockSweepIntervalMs?: number;
  /** Defaults to SMTP_URL or the outbox folder. */
  transport?: MailTransport;
  /** Test seam, see DeliveryHooks. */
  hooks?: DeliveryHooks;
  /** Observability / test seam: called with each graphile worker pool this worker creates. */
  onPoolCreate?: (pool: WorkerPool) => void;
}

export interface WorkerHandle {
  /** The current graphile worker pool id (what jobs' `locked_by` says while this worker runs them). */
  readonly poolId: string;
  /** Runs one dead-worker sweep now; returns the pool ids whose jobs were released. */
  sweepDeadWorkers(): Promise<string[]>;
  /** Finishes running jobs, then stops. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startWorker(ctx: AppContext, opts: WorkerOptions = {}): Promise<WorkerHandle> {
  const logger = ctx.logger.child({ component: 'worker' });
  preloadTemplates();
  const concurrency = opts.concurrency ?? ctx.config.WORKER_CONCURRENCY;
  const baseTransport = opts.transport ?? createMailTransport(ctx.config, logger);
  // Mail jobs send the jobs they took over alongside their own (src/mail/job-batch.ts): the SMTP
  // server still sees at most one message in flight per job slot.
  const transport = limitConcurrentSends(baseTransport, concurrency);
  const ownsTransport = !opts.transport;
  if (transport.kind === 'outbox') {
    logger.info(
      { outbox: transport.destination },
      `SMTP_URL is not set: emails are written to ${transport.destination}`,
    );
  } else {
    logger.info({ smtp: transport.destination }, 'emails are sent through SMTP');
  }

  // Mail, plus the periodic sweeps on graphile's crontab (src/jobs/sweeps.ts).
  const taskList = {
    ...createMailTasks(ctx, { transport, hooks: opts.hooks }),
    // Inbound mail (src/inbound): stored raw by the receivers, processed here.
    ...createInboundTasks(ctx),
    // "Find my tickets" (src/portal): the address lookup, off the request path.
    ...createPortalTasks(ctx),
    // Erasure of a person / a retention run (src/privacy), a batch of tickets per step.
    ...createPrivacyTasks(ctx),
    // Webhooks out (src/webhooks): one dispatch job per endpoint with due deliveries.
    ...createWebhookTasks(ctx),
    ...createSweepTasks(ctx),
  };
  const cronItems = sweepCronItems();

  /** One graphile worker pool plus the advisory lock that says it is alive. */
  const launch = async (): Promise<PoolInstance> => {
    const events: WorkerEvents = new EventEmitter();
    let poolId: string | undefined;
    events.on('pool:create', ({ workerPool }) => {
      poolId ??= workerPool.id;
      opts.onPoolCreate?.(workerPool);
    });
    // The pool's live graphile workers (job slots), and the moment graphile gives up on it.
    let live = 0;
    let allStopped: (() => void) | undefined;
    events.on('worker:create', () => void live++);
    events.on('worker:stop', () => {
      if (--live === 0) allStopped?.();
    });
    let onFatal: (err: unknown) => void = () => {};
    const fatal = new Promise<unknown>((resolve) => (onFatal = resolve));
    events.on('pool:fatalError', ({ error }) => onFatal(error));
    // Any shutdown (graphile's own after a worker slot died too): when stop() is not the cause,
    // `supervise` replaces the pool.
    events.on('pool:gracefulShutdown', ({ message }) => onFatal(new Error(`worker pool shut down: ${message}`)));
    // graphile 0.17 caches the task-id lookup as a promise; if the first lookup's connection is
    // lost, the rejected promise stays cached and every later job fetch of this pool fails with
    // the same error, silently, forever. A pool that has not fetched for a while is given up on
    // (a real outage ends in the same place: restarts are retried until the database is back).
    let lastFetchOk = Date.now();
    const fetched = () => void (lastFetchOk = Date.now());
    events.on('worker:getJob:empty', fetched);
    events.on('job:start', fetched);
    events.on('worker:getJob:error', ({ error }) => {
      if (Date.now() - lastFetchOk > FETCH_FAILURE_LIMIT_MS) onFatal(error);
    });
    const runner = await run({
      pgPool: ctx.db.pool,
      taskList,
      concurrency,
      pollInterval: opts.pollInterval ?? 200,
      noHandleSignals: true,
      // Reporting a finished job (complete / fail) must go through graphile's batcher: its
      // unbatched path (the default, -1) runs that query without awaiting it, so a connection lost
      // at that moment was an unhandled rejection that ended the process (a PostgreSQL restart,
      // pg_terminate_backend: tests/jobs/connection-loss.test.ts). The batched path hands the
      // error to graphile's own handler instead, which ends this pool ("queue is in an
      // inconsistent state"); `supervise` below releases the pool's jobs and starts a new one.
      // Completions are collected for COMPLETE_BATCH_DELAY_MS into one DELETE (slots do not wait
      // for it: no throughput cost, a round trip saved per job under load, bench/email.ts). One lost
      // in a crash only re-runs a finished job, which finds its work done (delivery `sent`).
      // The local queue (prefetching) stays off: in 0.17 it too turned a restart into an
      // uncaught error, and it locks jobs that no slot is running yet.
      preset: { worker: { completeJobBatchDelay: COMPLETE_BATCH_DELAY_MS, failJobBatchDelay: 0 } },
      // Our crontab in code: graphile then does not look for a ./crontab file.
      parsedCronItems: cronItems,
      logger: graphileLogger(ctx),
      events,
    });
    const failed = fatal.then(async (err) => {
      // Stop taking jobs (graphile has begun that itself after a fatal error, not after failing
      // fetches), and wait until every job slot has finished its job. Not for runner.promise:
      // after a failed batch, graphile 0.17's batcher miscounts and that shutdown never ends.
      void runner.stop().catch(() => {});
      if (live > 0) await new Promise<void>((resolve) => (allStopped = resolve));
      return err;
    });
    if (!poolId) {
      await runner.stop().catch(() => {});
      throw new Error('graphile-worker started without announcing its worker pool');
    }
    try {
      const liveness = await registerLiveness(ctx.db.pool, poolId, logger);
      return { runner, poolId, liveness, failed };
    } catch (err) {
      await runner.stop().catch(() => {});
      throw err;
    }
  };

  let current: PoolInstance;
  try {
    current = await launch();
  } catch (err) {
    if (ownsTransport) transport.close();
    throw err;
  }
  let stopping: Promise<void> | undefined;

  // graphile ends or gives up on a pool on its own (a lost connection while reporting a job, a
  // job slot that died, fetches that keep failing: see `failed` in launch). A worker must not
  // then sit silently inside `npm start`: the ended pool's jobs are released (it has no running
  // job left) and a new pool takes over.
  const supervise = (instance: PoolInstance) => {
    void Promise.race([instance.runner.promise.catch((err: unknown) => err), instance.failed])
      .then(async (err) => {
        instance.ended = true;
        if (stopping || current !== instance) return;
        void instance.runner.stop().catch(() => {});
        logger.error({ err, workerPool: instance.poolId }, 'worker pool stopped unexpectedly; starting a new one');
        await instance.liveness.release();
        // The ended pool runs nothing any more, but jobs whose completion it could not report are
        // still locked to it: release them (graphile alone would wait 4 hours), then start anew.
        // Both retry with back-off while the database is away.
        let unlocked = false;
        for (let delay = 250; !stopping; delay = Math.min(delay * 2, 10_000)) {
          await new Promise((r) => setTimeout(r, delay));
          if (stopping) return;
          try {
            if (!unlocked) {
              await ctx.db.pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [[instance.poolId]]);
              unlocked = true;
            }
            const next = await launch();
            if (stopping) {
              // stop() ran while this pool was starting: it must not outlive the worker.
              await next.runner.stop().catch(() => {});
              await next.liveness.release();
              return;
            }
            current = next;
            logger.info({ workerPool: current.poolId, previous: instance.poolId }, 'worker pool restarted');
            supervise(current);
            return;
          } catch (retryErr) {
            logger.warn({ err: retryErr, unlocked }, 'could not restart the worker pool yet; retrying');
          }
        }
      })
      // Nothing above should throw; if it does, it is logged, never an unhandled rejection.
      .catch((err: unknown) => logger.error({ err }, 'worker pool supervisor failed'));
  };
  supervise(current);

  const sweeper = startDeadWorkerSweeper({
    pool: ctx.db.pool,
    tasks: [...EMAIL_KINDS, INBOUND_TASK, DISPATCH_TASK, ERASURE_TASK],
    intervalMs: opts.lockSweepIntervalMs ?? 60_000,
    logger,
    ownPoolIds: () => [current.poolId],
  });
  logger.info({ workerPool: current.poolId, concurrency }, 'worker started');

  return {
    get poolId() {
      return current.poolId;
    },
    sweepDeadWorkers: () => sweeper.sweep(),
    stop() {
      stopping ??= (async () => {
        await sweeper.stop();
        const instance = current;
        // Graceful: running jobs finish (and record their deliveries) before the pool is released.
        if (!instance.ended) {
          await instance.runner.stop().catch((err) => logger.error({ err }, 'worker did not stop cleanly'));
        }
        // Only now may other workers treat this pool's leftover locks (if any) as abandoned.
        await instance.liveness.release();
        if (ownsTransport) transport.close();
        logger.info({ workerPool: instance.poolId }, 'worker stopped');
      })();
      return stopping;
    },
  };
}

interface PoolInstance {
  runner: Runner;
  poolId: string;
  liveness: LivenessRegistration;
  /** Settles once graphile has given up on the pool and it runs no job any more. */
  failed: Promise<unknown>;
  /** Its runner has finished (graphile ended it, or stop() did). */
  ended?: boolean;
}

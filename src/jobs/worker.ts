// The job worker: graphile-worker running the mail tasks against the app's database. Runs inside
// `npm start` (WORKER_INLINE=true, the default) or alone (`npm run worker`); any number of workers
// on one database share the jobs (graphile locks each job with SKIP LOCKED). New jobs arrive by
// LISTEN/NOTIFY; the short poll interval only matters for retries scheduled in the future.
import { EventEmitter } from 'node:events';
import {
  Logger as GraphileLogger,
  run,
  type LogLevel,
  type Runner,
  type WorkerEvents,
  type WorkerPool,
} from 'graphile-worker';
// Not part of graphile's public index (see retryThroughDatabaseRestarts); tests/reliability/db-restart
// fails if a graphile upgrade moves it.
import { RETRYABLE_ERROR_CODES } from 'graphile-worker/dist/lib.js';
import type { AppContext } from '../context.js';
import { createMailTasks } from '../mail/mail.jobs.js';
import { EMAIL_KINDS } from '../mail/mail.queue.js';
import type { DeliveryHooks } from '../mail/mail.service.js';
import { preloadTemplates } from '../mail/templates.js';
import { createMailTransport, type MailTransport } from '../mail/transport.js';
import { registerLiveness, startDeadWorkerSweeper, type LivenessRegistration } from './worker-liveness.js';

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

const PINO_LEVEL: Record<string, 'error' | 'warn' | 'info' | 'debug'> = {
  error: 'error',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
};

/** graphile attaches whole job rows (payload included) and errors under `error`: keep ids, use `err`. */
function compactMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const { job, error, ...rest } = meta as {
    job?: { id?: string; task_identifier?: string; attempts?: number };
    error?: unknown;
  };
  return {
    ...rest,
    ...(job ? { jobId: job.id, task: job.task_identifier, attempt: job.attempts } : {}),
    ...(error ? { err: error } : {}),
  };
}

/** graphile-worker's log lines through pino, tagged with the job and task they are about. */
function graphileLogger(ctx: AppContext): GraphileLogger {
  return new GraphileLogger((scope) => {
    const child = ctx.logger.child({
      component: 'worker',
      ...(scope.jobId ? { jobId: scope.jobId } : {}),
      ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}),
      ...(scope.workerId ? { workerId: scope.workerId } : {}),
    });
    return (level: LogLevel, message: string, meta?: Record<string, unknown>) => {
      child[PINO_LEVEL[level] ?? 'info'](compactMeta(meta), message);
    };
  });
}

/**
 * graphile-worker 0.17 reports a finished job (complete / fail) with a query it does not await: if
 * that query fails, the rejection is unhandled and Node ends the process. It retries only the
 * error codes in RETRYABLE_ERROR_CODES, which lack the ones a PostgreSQL restart produces
 * (57P01 admin_shutdown on live sessions, then ECONNREFUSED while it is down). Without them a
 * database restart killed every worker — and `npm start`, which runs one inline. With them the
 * report waits for the database (graphile's back-off, up to 100 tries) and the worker carries on.
 */
function retryThroughDatabaseRestarts(): void {
  for (const code of ['57P01', '57P02', '08000', '08003', '08006', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']) {
    RETRYABLE_ERROR_CODES[code] ??= { minDelay: 250, maxDelay: 5_000 };
  }
}

export async function startWorker(ctx: AppContext, opts: WorkerOptions = {}): Promise<WorkerHandle> {
  retryThroughDatabaseRestarts();
  const logger = ctx.logger.child({ component: 'worker' });
  preloadTemplates();
  const transport = opts.transport ?? createMailTransport(ctx.config, logger);
  const ownsTransport = !opts.transport;
  if (transport.kind === 'outbox') {
    logger.info(
      { outbox: transport.destination },
      `SMTP_URL is not set: emails are written to ${transport.destination}`,
    );
  } else {
    logger.info({ smtp: transport.destination }, 'emails are sent through SMTP');
  }

  // A checked-out client whose connection drops emits 'error'; pg re-raises it on the next query,
  // so the listener only has to exist (graphile-worker warns on stderr when it does not).
  if (ctx.db.pool.listeners('connect').length === 0) {
    ctx.db.pool.on('connect', (client) => client.on('error', () => {}));
  }
  const concurrency = opts.concurrency ?? ctx.config.WORKER_CONCURRENCY;
  const taskList = createMailTasks(ctx, { transport, hooks: opts.hooks });

  /** One graphile worker pool plus the advisory lock that says it is alive. */
  const launch = async (): Promise<PoolInstance> => {
    const events: WorkerEvents = new EventEmitter();
    let poolId: string | undefined;
    events.on('pool:create', ({ workerPool }) => {
      poolId ??= workerPool.id;
      opts.onPoolCreate?.(workerPool);
    });
    const runner = await run({
      pgPool: ctx.db.pool,
      taskList,
      concurrency,
      pollInterval: opts.pollInterval ?? 200,
      noHandleSignals: true,
      // graphile's batching (localQueue, completeJobBatchDelay) measured 0.34x -> 0.50x on
      // bench/email.ts, but in 0.17 a PostgreSQL restart then throws an uncaught error from the
      // local queue and a failed batched completion stops the worker for good
      // (tests/reliability/db-restart.test.ts). Not losing mail beats speed: both stay off.
      // No cron jobs: without this graphile looks for a ./crontab file and logs that it is missing.
      parsedCronItems: [],
      logger: graphileLogger(ctx),
      events,
    });
    if (!poolId) {
      await runner.stop().catch(() => {});
      throw new Error('graphile-worker started without announcing its worker pool');
    }
    try {
      const liveness = await registerLiveness(ctx.db.pool, poolId, logger);
      return { runner, poolId, liveness };
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

  // graphile ends a pool on its own after an error it cannot recover from (it logs "aborting").
  // An inline worker must not then sit silently inside `npm start`: the ended pool's jobs are
  // released (it has no running job left) and a new pool takes over.
  const supervise = (instance: PoolInstance) => {
    void instance.runner.promise
      .catch((err: unknown) => err)
      .then(async (err) => {
        if (stopping || current !== instance) return;
        logger.error({ err, workerPool: instance.poolId }, 'worker pool stopped unexpectedly; starting a new one');
        await instance.liveness.release();
        await ctx.db.pool
          .query('SELECT graphile_worker.force_unlock_workers($1::text[])', [[instance.poolId]])
          .catch((unlockErr) =>
            // The database may be away: the dead-worker sweep releases them once it is back.
            logger.warn({ err: unlockErr }, "could not release the ended pool's jobs yet"),
          );
        for (let delay = 1_000; !stopping; delay = Math.min(delay * 2, 30_000)) {
          await new Promise((r) => setTimeout(r, delay));
          if (stopping) return;
          try {
            const next = await launch();
            if (stopping) {
              // stop() ran while this pool was starting: it must not outlive the worker.
              await next.runner.stop().catch(() => {});
              await next.liveness.release();
              return;
            }
            current = next;
            logger.info({ workerPool: current.poolId }, 'worker pool restarted');
            supervise(current);
            return;
          } catch (launchErr) {
            logger.warn({ err: launchErr }, 'could not start a new worker pool yet');
          }
        }
      });
  };
  supervise(current);

  const sweeper = startDeadWorkerSweeper({
    pool: ctx.db.pool,
    tasks: EMAIL_KINDS,
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
        await instance.runner.stop().catch((err) => logger.error({ err }, 'worker did not stop cleanly'));
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
}

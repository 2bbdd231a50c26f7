// Recovering jobs from workers that died.
//
// graphile-worker 0.17 marks a job it runs with `locked_by = <worker pool id>` and only frees the
// locks of a pool that vanished (SIGKILL, OOM, power loss) after 4 hours. Mail must not wait that
// long, so each ContactDesk worker pool proves it is alive with a session-level PostgreSQL advisory
// lock keyed by its pool id, held on a connection of its own for as long as the pool runs. The
// lock disappears the moment that session ends — including when the process is killed, because
// PostgreSQL ends the session when the socket closes. No table, no clock skew, no heartbeat writes.
//
// A sweeper in every worker (at start and then every minute) lists the pools holding locks on
// ContactDesk mail jobs and asks pg_locks which of them still hold their liveness lock. A pool
// seen without it on two consecutive sweeps is dead: `force_unlock_workers` releases its jobs, and
// whichever worker picks them up again finds the delivery row already `sent` if the mail went out.
// Two sweeps (not one) cover the instant between a new pool taking its first job and registering
// its lock. A hash collision between two pool ids can only make a dead pool look alive — its jobs
// then fall back to graphile's own 4-hour reset — never the reverse.
import type pg from 'pg';
import type { Logger } from '../logger.js';

/** First key of the two-key advisory lock: "cd" + "lv" — a namespace no other lock in the app uses. */
export const LIVENESS_LOCK_NAMESPACE = 0x63646c76;

export interface LivenessRegistration {
  release(): Promise<void>;
}

/** Holds the advisory lock that says "pool `poolId` is alive" until release(). */
export async function registerLiveness(pool: pg.Pool, poolId: string, logger: Logger): Promise<LivenessRegistration> {
  let released = false;
  let reconnecting: Promise<void> | undefined;
  /** The connection holding the lock now, and how to give it back (at most once). */
  let current: { client: pg.PoolClient; release(err?: Error | boolean): void } | undefined;

  // Takes the lock on a connection of its own. A connection lost before the lock is held fails
  // this call (the caller retries or gives up); one lost later is replaced at once.
  const connect = async (): Promise<void> => {
    const c = await pool.connect();
    let done = false;
    const releaseOnce = (err?: Error | boolean) => {
      if (done) return;
      done = true;
      c.off('error', onLost);
      c.release(err);
    };
    const onLost = (err: Error) => {
      releaseOnce(err);
      if (current?.client !== c) return;
      current = undefined;
      // The liveness session died while the process lives (database restart, network): take the
      // lock again at once so that other workers do not treat this pool's jobs as abandoned.
      logger.warn({ err, poolId }, 'worker liveness connection lost; reconnecting');
      if (!released) reconnecting ??= reconnect().finally(() => (reconnecting = undefined));
    };
    c.on('error', onLost);
    try {
      await c.query('SELECT pg_advisory_lock($1, hashtext($2))', [LIVENESS_LOCK_NAMESPACE, poolId]);
    } catch (err) {
      releaseOnce(err as Error);
      throw err;
    }
    // The answer came, but the connection may have been lost just after: then it holds nothing.
    if (done) throw new Error('worker liveness connection lost while taking the lock');
    current = { client: c, release: releaseOnce };
  };
  const reconnect = async (): Promise<void> => {
    for (let delay = 250; !released; delay = Math.min(delay * 2, 10_000)) {
      try {
        await connect();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };

  await connect();
  return {
    async release() {
      released = true;
      await reconnecting;
      const held = current;
      current = undefined;
      // Closing the session (release with `true`) drops the lock whatever state the connection is in.
      held?.release(true);
    },
  };
}

/** Pools holding locks on jobs of `tasks` whose liveness lock is absent right now. */
export async function findSilentPools(pool: pg.Pool, tasks: readonly string[]): Promise<string[]> {
  const { rows } = await pool.query<{ locked_by: string }>(
    `WITH holders AS (
       SELECT DISTINCT j.locked_by FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE j.locked_by IS NOT NULL AND t.identifier = ANY($2::text[])
     )
     SELECT h.locked_by FROM holders h
     WHERE NOT EXISTS (
       SELECT 1 FROM pg_locks l
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND l.classid = $1::int::oid AND l.objid = hashtext(h.locked_by)::oid
     )`,
    [LIVENESS_LOCK_NAMESPACE, tasks],
  );
  return rows.map((r) => r.locked_by);
}

export interface Sweeper {
  /** One sweep now (tests call it; the timer calls it every interval). Returns the pools unlocked. */
  sweep(): Promise<string[]>;
  stop(): Promise<void>;
}

export function startDeadWorkerSweeper(opts: {
  pool: pg.Pool;
  tasks: readonly string[];
  intervalMs: number;
  logger: Logger;
  /** This process's own pool ids are never suspects. */
  ownPoolIds: () => string[];
}): Sweeper {
  let suspects = new Set<string>();
  let running: Promise<string[]> | undefined;
  let stopped = false;

  const sweepOnce = async (): Promise<string[]> => {
    const own = new Set(opts.ownPoolIds());
    const silent = (await findSilentPools(opts.pool, opts.tasks)).filter((id) => !own.has(id));
    const dead = silent.filter((id) => suspects.has(id));
    suspects = new Set(silent.filter((id) => !dead.includes(id)));
    if (dead.length) {
      await opts.pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [dead]);
      opts.logger.warn({ workerPools: dead }, 'released the jobs of worker pools that are no longer alive');
    }
    return dead;
  };
  const sweep = () => (running ??= sweepOnce().finally(() => (running = undefined)));

  const tick = () => {
    if (stopped) return;
    sweep()
      .catch((err) => opts.logger.warn({ err }, 'dead-worker sweep failed; will try again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs);
      });
  };
  let timer: NodeJS.Timeout = setTimeout(tick, 0);
  return {
    sweep,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}

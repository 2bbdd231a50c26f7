// PostgreSQL restarted under load, shared by the fast and slow tests. The scenario owns an embedded
// PostgreSQL (in a temp folder, on a free port) so it can stop and start the real server; the app
// and a worker keep running throughout and must recover on their own.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import {
  assertEveryMailOnce,
  call,
  isErrorShape,
  sleep,
  startLiveApp,
  startLiveWorker,
  submission,
  waitUntil,
  type HttpResult,
} from './reliability.js';
import { freePort, startCountingSink } from './reliability-smtp.js';

export interface DbRestartOptions {
  clients: number;
  /** Load before the stop, and after the restart, in milliseconds. */
  loadBeforeMs: number;
  loadAfterMs: number;
  /** How long PostgreSQL stays down. */
  outageMs: number;
  /** Upper bound for every ticket's mail to go out afterwards. */
  drainMs: number;
}

export interface DbRestartReport {
  accepted: number;
  unavailable: number;
  /** Slowest response of the whole run (201 or 503), in ms. */
  slowestMs: number;
  /** From the restart until the first 201. */
  recoveredAfterMs: number;
  mails: number;
}

/** The pool gives up on a connection after this long: the bound on any answer during an outage. */
const CONNECTION_TIMEOUT_MS = 2_000;

export async function runDbRestartScenario(opts: DbRestartOptions): Promise<DbRestartReport> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'contactdesk-reliability-pg-'));
  // As root, PostgreSQL runs as the postgres OS user, which must be able to enter the folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  const pgOpts = { dataDir: path.join(dir, 'pg'), port, database: 'contactdesk' };
  let pg: EmbeddedDatabase | undefined = await startEmbeddedPostgres(pgOpts);
  const sink = await startCountingSink();
  const env = { RATE_LIMIT_ENABLED: 'false', SMTP_URL: sink.url, ADMIN_NOTIFY_EMAILS: 'alerts@contactdesk.test' };
  const pool = { max: 10, connectionTimeoutMillis: CONNECTION_TIMEOUT_MS };
  let app: Awaited<ReturnType<typeof startLiveApp>> | undefined;
  let worker: Awaited<ReturnType<typeof startLiveWorker>> | undefined;
  try {
    await migrate(pg.url);
    app = await startLiveApp({ databaseUrl: pg.url, env, pool });
    worker = await startLiveWorker({ databaseUrl: pg.url, env, pool }, { concurrency: 4, pollInterval: 200 });
    const live = app;

    const accepted = new Set<string>();
    const failures: string[] = [];
    let unavailable = 0;
    let slowestMs = 0;
    let restartedAt = 0;
    let firstAfterRestart = 0;
    let stop = false;
    let seq = 0;
    const check = (res: HttpResult) => {
      slowestMs = Math.max(slowestMs, res.ms);
      if (res.status === 201) {
        accepted.add((res.body as { id: string }).id);
        if (restartedAt && !firstAfterRestart) firstAfterRestart = Date.now();
      } else if (res.status === 503 && isErrorShape(res.body)) {
        unavailable++;
        const code = (res.body as { error: { code: string } }).error.code;
        if (code !== 'service_unavailable') failures.push(`503 with code ${code}`);
        if (!res.headers.get('retry-after')) failures.push('503 without Retry-After');
      } else {
        failures.push(`${res.status} ${res.text.slice(0, 200)}`);
      }
    };
    const client = async () => {
      // Bounded by time (the phases below end it) and by count.
      for (let n = 0; !stop && n < 100_000; n++) {
        const res = await call(live.url, 'POST', '/api/v1/contact/submit', {
          json: submission(seq++, 'restart'),
          timeoutMs: 20_000,
        });
        check(res);
        // A client that was told to come back later does so after a short pause.
        if (res.status === 503) await sleep(100);
      }
    };
    const clients = Array.from({ length: opts.clients }, client);
    let acceptedBefore = 0;
    const restartUnderLoad = async () => {
      await sleep(opts.loadBeforeMs);
      acceptedBefore = accepted.size;
      assert.ok(acceptedBefore > 0, 'no submission went through before the restart');
      await pg?.stop();
      pg = undefined;
      // While PostgreSQL is down the process stays up and answers at once.
      const health = await call(live.url, 'GET', '/healthz');
      assert.equal(health.status, 200);
      const ready = await call(live.url, 'GET', '/readyz', { timeoutMs: 10_000 });
      assert.equal(ready.status, 503, 'readiness reports the database outage');
      await sleep(opts.outageMs);
      pg = await startEmbeddedPostgres(pgOpts);
      restartedAt = Date.now();
      await waitUntil(async () => firstAfterRestart > 0, 'a submission succeeded after the restart', 30_000);
      await sleep(opts.loadAfterMs);
    };
    try {
      await restartUnderLoad();
    } finally {
      stop = true;
      await Promise.all(clients);
    }

    assert.deepEqual(failures.slice(0, 5), [], 'answers other than 201 or a proper 503');
    assert.ok(unavailable > 0, 'no request was refused with 503 during the outage');
    assert.ok(slowestMs < CONNECTION_TIMEOUT_MS + 3_000, `a request took ${Math.round(slowestMs)} ms`);
    assert.ok(accepted.size > acceptedBefore, 'no submission was accepted after the restart');
    assert.equal((await call(live.url, 'GET', '/readyz')).status, 200);

    // Every 201 is a stored ticket (a 503 may still have been stored: its commit can win the race
    // with the shutdown; that is not a loss, the client simply retries).
    const { rows } = await live.ctx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM contact_submissions WHERE id = ANY($1::uuid[])`,
      [[...accepted]],
    );
    assert.equal(rows[0]!.n, accepted.size, 'accepted submissions missing after the restart');
    const { rows: all } = await live.ctx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM contact_submissions`,
    );
    // The worker recovered too: every ticket's mails went out, none twice.
    const mails = all[0]!.n * 2;
    try {
      await assertEveryMailOnce(live.ctx, sink, mails, opts.drainMs);
    } catch (err) {
      // What the queue and the worker's pool looked like when the mail stopped flowing.
      const { rows: jobs } = await live.ctx.db.pool.query(
        `SELECT locked_by IS NOT NULL AS locked, attempts, run_at <= now() AS due, count(*)::int AS n
         FROM graphile_worker._private_jobs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      );
      const p = worker.ctx.db.pool;
      const state = { jobs, workerPool: { total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount } };
      throw new Error(`${(err as Error).message}\n${JSON.stringify(state)}`, { cause: err });
    }
    // Nothing is left checked out of either pool: a connection lost mid-transaction was given back
    // (a leaked client would shrink the pool for good, and make closing it wait forever). The
    // worker holds two on purpose while it runs (LISTEN, liveness lock), so it is stopped first.
    await worker.handle.stop();
    for (const [name, p] of [
      ['app', live.ctx.db.pool],
      ['worker', worker.ctx.db.pool],
    ] as const) {
      await waitUntil(async () => p.totalCount === p.idleCount, `the ${name} pool has no client checked out`, 5_000);
    }
    return {
      accepted: accepted.size,
      unavailable,
      slowestMs: Math.round(slowestMs),
      recoveredAfterMs: firstAfterRestart - restartedAt,
      mails,
    };
  } finally {
    await worker?.stop().catch(() => {});
    await app?.close().catch(() => {});
    await sink.stop();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

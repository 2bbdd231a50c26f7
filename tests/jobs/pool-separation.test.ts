// The inline worker (what `npm start` runs) drains a backlog of 1,000 mails while web requests
// keep coming. The worker has its own pool (startInlineWorker), so however busy or slow its
// database work is, the web's pool (DB_POOL_SIZE) stays free for requests. With the old shared
// pool, LISTEN + the liveness lock + 8 running jobs were all 10 connections: while the jobs'
// statements wait (here: a lock on email_deliveries held for 4 s, as a slow mail-side statement
// or a vacuum would), every web request waited behind them (or got a 503 after the pool's timeout).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startInlineWorker, type WorkerHandle } from '../../src/jobs/worker.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createTicket, createUserWithToken } from '../helpers/factories.js';
import {
  assertEveryMailOnce,
  call,
  runConcurrently,
  sleep,
  startLiveApp,
  waitUntil,
  type LiveApp,
} from '../helpers/reliability.js';
import { startCountingSink, type CountingSink } from '../helpers/reliability-smtp.js';

const TICKETS = 500;
const MAILS = TICKETS * 2;
const LOCK_MS = 4_000;
const WORST_MS = 2_000;

describe('inline worker: a mail backlog does not take the web requests’ connections', () => {
  let database: TestDatabase;
  let sink: CountingSink;
  let app: LiveApp;
  let worker: WorkerHandle | undefined;
  let probes: pg.Pool;
  before(async () => {
    database = await createTestDatabase();
    probes = new pg.Pool({ connectionString: database.url, max: 2 });
    // probes.end() resolves before its connections have closed; the DROP DATABASE … WITH (FORCE) in
    // after() can then reach one, and its FATAL on a client without a listener was an uncaught error.
    probes.on('connect', (client) => client.on('error', () => {}));
    sink = await startCountingSink();
    const env = {
      SMTP_URL: sink.url,
      ADMIN_NOTIFY_EMAILS: 'alerts@contactdesk.test',
      WORKER_CONCURRENCY: '8',
      DB_POOL_SIZE: '10',
    };
    app = await startLiveApp({ databaseUrl: database.url, env, pool: { max: 10 } });
  });
  after(async () => {
    await worker?.stop();
    await app.close();
    await probes.end();
    await sink.stop();
    await database.drop();
  });

  test('when 1,000 mails drain and the worker’s statements stall, then every web request still answers 200 within 2 s', async () => {
    const { auth } = await createUserWithToken(app.ctx, { role: 'moderator' });
    await runConcurrently(TICKETS, 10, async () => void (await createTicket(app.ctx)), 120_000);
    worker = await startInlineWorker(app.ctx, database.url);

    const failures: string[] = [];
    let worstMs = 0;
    let requests = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        for (const [path, headers] of [
          ['/readyz', {}],
          ['/api/v1/contact', auth],
        ] as const) {
          const res = await call(app.url, 'GET', path, { headers, timeoutMs: 15_000 });
          requests++;
          worstMs = Math.max(worstMs, res.ms);
          if (res.status !== 200) failures.push(`${path}: ${res.status} ${res.text.slice(0, 100)}`);
        }
        // Steady traffic, not a flood: the machine's cores are the mail drain's too.
        await sleep(20);
      }
    };
    const clients = Array.from({ length: 4 }, client);
    try {
      await waitUntil(async () => sink.total >= 100, 'the worker is draining', 60_000);
      // Stall the worker's statements: its claims (UPDATE email_deliveries) wait on this lock,
      // each holding a connection of its pool, while reads of other tables go on.
      // The test's own probes use a pool of their own, so they measure and never compete.
      const locker = await probes.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE email_deliveries IN EXCLUSIVE MODE');
        await waitUntil(
          async () => {
            const { rows } = await probes.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            );
            return rows[0]!.n >= 1;
          },
          'the worker’s jobs wait on the lock',
          10_000,
          20,
        );
        // Web traffic goes on meanwhile (the clients above); hold the stall for a while.
        await sleep(LOCK_MS);
      } finally {
        await locker.query('COMMIT').catch(() => {});
        locker.release();
      }
      await assertEveryMailOnce(app.ctx, sink, MAILS, 240_000);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${requests} web requests failed`);
    assert.ok(worstMs < WORST_MS, `the slowest web request took ${Math.round(worstMs)} ms`);
    assert.ok(requests > 50, `too few web requests to tell: ${requests}`);
    console.log(`pool separation: ${requests} web requests, slowest ${Math.round(worstMs)} ms, ${MAILS} mails`);
  });
});

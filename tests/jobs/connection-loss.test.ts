// A real worker process (`node --import tsx src/worker.ts`) has its database sessions killed with
// pg_terminate_backend again and again while mail flows: what a PostgreSQL restart, a failover or
// a proxy dropping connections does to it. graphile-worker 0.17 reports a finished job with a
// query it does not await, so before the fix the first killed completion ended the whole process
// with "Connection terminated unexpectedly" (an unhandled rejection).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WORKER_APPLICATION_NAME } from '../../src/jobs/worker.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createTicket } from '../helpers/factories.js';
import { assertEveryMailOnce, runConcurrently, sleep } from '../helpers/reliability.js';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/reliability-process.js';
import { startCountingSink, type CountingSink } from '../helpers/reliability-smtp.js';

// Enough mail that the kills below keep landing while it flows (the worker sends a backlog in batches).
const TICKETS = 400;
const MAILS = TICKETS * 2; // confirmation + one admin alert each

describe('worker: its database sessions are terminated while jobs run', () => {
  let database: TestDatabase;
  let sink: CountingSink;
  let t: TestApp;
  let worker: WorkerProcess | undefined;
  before(async () => {
    database = await createTestDatabase();
    sink = await startCountingSink();
    t = await createTestApp({ database, env: { SMTP_URL: sink.url, ADMIN_NOTIFY_EMAILS: 'alerts@contactdesk.test' } });
  });
  after(async () => {
    await worker?.stop();
    await t.close();
    await sink.stop();
    await database.drop();
  });

  test('when the worker sessions are killed again and again while mail flows, then the process keeps running, recovers, and every mail goes out exactly once', async () => {
    worker = await spawnWorkerProcess({
      DATABASE_URL: database.url,
      SMTP_URL: sink.url,
      ADMIN_NOTIFY_EMAILS: 'alerts@contactdesk.test',
      WORKER_CONCURRENCY: '4',
    });
    // Tickets are created while the kills run: the worker sends as fast as they come in.
    let created = false;
    const creating = runConcurrently(TICKETS, 8, async () => void (await createTicket(t.ctx)), 60_000).finally(
      () => (created = true),
    );

    // Kill every session of the worker (its job queries, completions, LISTEN, liveness lock) every
    // 100 ms until most of the mail is out, so that many kills land on a query in flight.
    let kills = 0;
    let rounds = 0;
    const deadline = Date.now() + 20_000;
    while ((!created || sink.total < MAILS * 0.8) && Date.now() < deadline && !worker.exit()) {
      const { rows } = await t.ctx.db.pool.query<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = $1`,
        [WORKER_APPLICATION_NAME],
      );
      kills += rows.filter((r) => r.ok).length;
      rounds++;
      await sleep(100);
    }
    await creating;
    assert.equal(worker.exit(), undefined, `the worker process died:\n${worker.stderr()}`);
    assert.ok(rounds >= 20 && kills >= 40, `too little fault injection: ${kills} sessions in ${rounds} rounds`);

    try {
      await assertEveryMailOnce(t.ctx, sink, MAILS, 60_000);
    } catch (err) {
      // What the queue looked like when the mail stopped flowing.
      const { rows } = await t.ctx.db.pool.query(
        `SELECT locked_by, attempts, run_at <= now() AS due, count(*)::int AS n
         FROM graphile_worker._private_jobs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      );
      throw new Error(`${(err as Error).message}\n${JSON.stringify(rows)}`, { cause: err });
    }
    assert.equal(worker.exit(), undefined, `the worker process died:\n${worker.stderr()}`);
    assert.doesNotMatch(worker.stderr(), /Unhandled|uncaught|ERR_UNHANDLED_REJECTION/i);
    console.log(`connection loss: ${kills} worker sessions killed in ${rounds} rounds; ${sink.total} mails once each`);
  });
});

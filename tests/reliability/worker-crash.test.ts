// A real worker process is killed with SIGKILL while it is in the middle of sending a batch. Its
// jobs must not wait graphile's 4-hour lock expiry: the next worker's dead-worker sweep releases
// them (src/jobs/worker-liveness.ts) and every mail ends up delivered exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import {
  assertEveryMailOnce,
  call,
  runConcurrently,
  startLiveApp,
  startLiveWorker,
  submission,
  waitUntil,
  type LiveApp,
  type LiveWorker,
} from '../helpers/reliability.js';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/reliability-process.js';
import { startCountingSink, type CountingSink } from '../helpers/reliability-smtp.js';

const TICKETS = 60;
const CONCURRENCY = 4;

describe('reliability: worker process killed mid-batch', () => {
  let database: TestDatabase;
  let sink: CountingSink;
  let app: LiveApp;
  let crashed: WorkerProcess | undefined;
  let rescuer: LiveWorker | undefined;
  let env: Record<string, string>;
  before(async () => {
    database = await createTestDatabase();
    sink = await startCountingSink();
    env = { SMTP_URL: sink.url, ADMIN_NOTIFY_EMAILS: 'alerts@contactdesk.test', RATE_LIMIT_ENABLED: 'false' };
    app = await startLiveApp({ databaseUrl: database.url, env });
  });
  after(async () => {
    crashed?.child.kill('SIGKILL');
    await rescuer?.stop();
    await app.close();
    await sink.stop();
    await database.drop();
  });

  test('when a worker process is SIGKILLed while its jobs are in flight, then a new worker releases and completes them quickly and no mail is sent twice', async () => {
    crashed = await spawnWorkerProcess({
      DATABASE_URL: database.url,
      SMTP_URL: sink.url,
      ADMIN_NOTIFY_EMAILS: env.ADMIN_NOTIFY_EMAILS!,
      WORKER_CONCURRENCY: String(CONCURRENCY),
    });
    await runConcurrently(
      TICKETS,
      10,
      async (i) => {
        const res = await call(app.url, 'POST', '/api/v1/contact/submit', { json: submission(i, 'crash') });
        assert.equal(res.status, 201, res.text);
      },
      60_000,
    );
    // Mid-batch: some mails out, then the SMTP server holds every further message before its
    // 250, until all of the worker's job slots are stuck inside a send.
    await waitUntil(async () => sink.total >= 10, 'the worker delivered its first mails', 30_000);
    sink.hold();
    await waitUntil(async () => sink.heldCount >= CONCURRENCY, `${CONCURRENCY} sends are in flight`, 30_000, 20);
    const { rows: locked } = await app.ctx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE locked_by = $1`,
      [crashed.poolId],
    );
    // In-flight jobs plus those prefetched into the worker's local queue (also locked to it).
    assert.ok(locked[0]!.n >= CONCURRENCY, `jobs locked by the worker at the moment it dies: ${locked[0]!.n}`);
    const deliveredBeforeCrash = sink.total;

    await crashed.kill9();
    // Its connections are gone, so the held messages were never acknowledged: not delivered.
    await waitUntil(async () => sink.heldCount === 0, 'the held messages were dropped', 10_000, 20);
    sink.release();
    assert.equal(sink.total, deliveredBeforeCrash);

    const restarted = Date.now();
    rescuer = await startLiveWorker(
      { databaseUrl: database.url, env },
      { concurrency: CONCURRENCY, lockSweepIntervalMs: 500 },
    );
    await waitUntil(
      async () => {
        const { rows } = await app.ctx.db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE locked_by = $1`,
          [crashed!.poolId],
        );
        return rows[0]!.n === 0;
      },
      "the dead worker's locks were released",
      15_000,
    );
    const releasedAfterMs = Date.now() - restarted;
    await assertEveryMailOnce(app.ctx, sink, TICKETS * 2, 60_000);
    const { rows: retried } = await app.ctx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM email_deliveries WHERE attempts > 1`,
    );
    assert.ok(retried[0]!.n >= CONCURRENCY, 'the interrupted deliveries were attempted again');
    assert.ok(releasedAfterMs < 10_000, `locks released ${releasedAfterMs} ms after the new worker started`);
    console.log(`worker crash: locks released ${releasedAfterMs} ms after restart`);
  });
});

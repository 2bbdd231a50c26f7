// Erasure survives crashes: progress is committed with each batch, so a connection cut inside a
// batch loses only that batch (rolled back, done again), and a worker whose connections are all
// terminated between batches is replaced and finishes the job — every ticket once, none left.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startInlineWorker, WORKER_APPLICATION_NAME } from '../../src/jobs/worker.js';
import { requestErasure, runErasureStep } from '../../src/privacy/service.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';
import { mailTestEnv, waitUntil, type MailTestEnv } from '../mail/mail-setup.js';
import { erasureState, waitErasureDone } from './privacy-setup.js';

const EMAIL = 'resume.person@example.org';

describe('privacy: erasure killed midway', () => {
  let env: MailTestEnv;
  let admin: TestUser;
  before(async () => {
    env = await mailTestEnv({ worker: false, env: { ERASURE_BATCH_SIZE: '5', ERASURE_BATCH_PAUSE_MS: '150' } });
    admin = await createUser(env.ctx, { role: 'admin' });
  });
  after(() => env.close());

  const remaining = async () =>
    (
      await env.ctx.db.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM contact_submissions WHERE lower(email) = $1',
        [EMAIL],
      )
    ).rows[0]!.n;

  test('when the connection dies inside a batch and the worker loses its connections between batches, then a restart completes the erasure exactly once', async () => {
    const { ctx } = env;
    for (let i = 0; i < 30; i++) await createTicket(ctx, { name: 'Rhea Resume', email: EMAIL, message: `Order ${i}` });
    const { erasure } = await requestErasure(ctx, admin, { email: EMAIL }, { source: 'api' });

    // Collect, then one batch, by hand (no worker yet).
    assert.equal(await runErasureStep(ctx, erasure.id), 'more');
    assert.equal(await runErasureStep(ctx, erasure.id), 'more');
    assert.equal((await erasureState(ctx, erasure.id)).tickets_done, 5);
    assert.equal(await remaining(), 25);

    // The next batch does all its writes, then its connection is terminated before COMMIT.
    await assert.rejects(
      runErasureStep(ctx, erasure.id, {
        beforeCommit: async (client) => {
          await client.query('SELECT pg_terminate_backend(pg_backend_pid())');
        },
      }),
    );
    const afterCrash = await erasureState(ctx, erasure.id);
    assert.equal(afterCrash.tickets_done, 5, 'the cut batch left no progress behind');
    assert.equal(await remaining(), 25, 'and no half-erased tickets');

    // A real worker takes the queued job; between two batches every one of its connections is
    // terminated. Its supervisor starts a new pool, the job is released and runs on.
    const worker = await startInlineWorker(ctx, env.t.database.url, { concurrency: 1, lockSweepIntervalMs: 500 });
    try {
      await waitUntil(
        async () => (await erasureState(ctx, erasure.id)).tickets_done >= 10,
        'the worker erased a batch',
      );
      const killed = await ctx.db.pool.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE application_name = $1 AND datname = current_database()`,
        [WORKER_APPLICATION_NAME],
      );
      assert.ok(killed.rows[0]!.n > 0, 'worker connections were terminated');
      const done = await waitErasureDone(ctx, erasure.id, 90_000);
      assert.equal(done.tickets_total, 30);
      assert.equal(done.tickets_done, 30, 'every ticket counted once');
      assert.equal(done.rows_redacted.contact_submissions, 30, 'every ticket erased once');
      assert.equal(done.email, null);
      assert.equal(await remaining(), 0);
      const left = await ctx.db.pool.query('SELECT 1 FROM erasure_request_tickets WHERE request_id = $1', [erasure.id]);
      assert.equal(left.rowCount, 0);
      const tombstoned = await ctx.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM contact_submissions WHERE email = privacy_tombstone_email() AND message = '[erased]'`,
      );
      assert.equal(tombstoned.rows[0]!.n, 30);
    } finally {
      await worker.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { AppContext } from '../../src/context.js';
import type { Db } from '../../src/db/client.js';
import { createWorkerDb, startWorker, type WorkerHandle } from '../../src/jobs/worker.js';
import { mailTestEnv, queuedJobs, waitForQueueDrained, waitUntil, type MailTestEnv } from './mail-setup.js';

describe('email delivery: several workers on one database', () => {
  let env: MailTestEnv;
  const workers: WorkerHandle[] = [];
  const dbs: Db[] = [];
  const sentBy = [0, 0];
  before(async () => {
    env = await mailTestEnv({ worker: false, env: { ADMIN_NOTIFY_EMAILS: 'ops@example.com,oncall@example.com' } });
    // Two independent workers, each with its own connection pool, as two processes would have.
    for (const i of [0, 1]) {
      const db = createWorkerDb(env.t.database.url, { ...env.ctx.config, WORKER_CONCURRENCY: 3 });
      dbs.push(db);
      const ctx: AppContext = { ...env.ctx, db };
      workers.push(await startWorker(ctx, { concurrency: 3, hooks: { afterSent: async () => void sentBy[i]!++ } }));
    }
  });
  after(async () => {
    for (const w of workers) await w.stop();
    for (const db of dbs) await db.close();
    await env.close();
  });

  test('when two workers share the queue, then every mail is sent exactly once and both do some of the work', async () => {
    const tickets = 15;
    await Promise.all(
      Array.from({ length: tickets }, (_, i) =>
        request(env.t.app)
          .post('/api/v1/contact/submit')
          .send({ name: `Sender ${i}`, email: `sender${i}@example.com`, subject: `Load ${i}`, message: 'm' })
          .expect(201),
      ),
    );
    const expected = tickets * 3;
    await env.sink.waitFor(expected, 60_000);
    await waitUntil(async () => (await queuedJobs(env.ctx)).length === 0, 'the queue is empty');
    await waitForQueueDrained(env.ctx);

    assert.equal(env.sink.messages.length, expected);
    const ids = new Set(env.sink.messages.map((m) => m.parsed.messageId));
    assert.equal(ids.size, expected, 'a message was delivered twice');
    const { rows } = await env.ctx.db.pool.query(
      `SELECT status::text AS status, attempts, count(*)::int AS n FROM email_deliveries GROUP BY 1, 2`,
    );
    assert.deepEqual(rows, [{ status: 'sent', attempts: 1, n: expected }]);
    assert.equal(sentBy[0]! + sentBy[1]!, expected);
    assert.ok(sentBy[0]! > 0 && sentBy[1]! > 0, `one worker did everything: ${sentBy.join(' / ')}`);
  });
});

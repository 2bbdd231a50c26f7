import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AppContext } from '../../src/context.js';
import type { Db } from '../../src/db/client.js';
import { createWorkerDb, startWorker, type WorkerHandle } from '../../src/jobs/worker.js';
import { adoptJobs } from '../../src/mail/job-batch.js';
import { createMailTransport, type MailTransport } from '../../src/mail/transport.js';
import { createTicket } from '../helpers/factories.js';
import { mailTestEnv, queuedJobs, waitForQueueDrained, waitUntil, type MailTestEnv } from './mail-setup.js';

// A mail job with a backlog behind it takes over more jobs of its kind (src/mail/job-batch.ts).

async function confirmationJobIds(ctx: AppContext): Promise<string[]> {
  return (await queuedJobs(ctx)).filter((j) => j.task_identifier === 'contact_confirmation').map((j) => j.id);
}

describe('email delivery: a job takes over waiting jobs of its kind', () => {
  let env: MailTestEnv;
  before(async () => {
    env = await mailTestEnv({ worker: false, env: { ADMIN_NOTIFY_EMAILS: 'ops@example.com' } });
  });
  after(async () => {
    await env.close();
  });

  test('when two takers ask at once, then each waiting job goes to exactly one of them, locked and its attempt counted', async () => {
    for (let i = 0; i < 8; i++) await createTicket(env.ctx);
    const [own, ...rest] = await confirmationJobIds(env.ctx);
    const pool = env.ctx.db.pool;
    const [a, b] = await Promise.all([
      adoptJobs(pool, 'contact_confirmation', 'pool-a', own!, 5),
      adoptJobs(pool, 'contact_confirmation', 'pool-b', own!, 5),
    ]);
    const taken = [...a, ...b].map((j) => j.id).sort();
    assert.deepEqual(taken, [...rest].sort(), 'every other waiting confirmation job was taken once');
    assert.ok(!taken.includes(own!), 'the taker never takes its own job');
    assert.ok([...a, ...b].every((j) => j.attempts === 1 && j.max_attempts === 12));
    const jobs = await queuedJobs(env.ctx);
    for (const j of a) assert.equal(jobs.find((x) => x.id === j.id)?.locked_by, 'pool-a');
    for (const j of b) assert.equal(jobs.find((x) => x.id === j.id)?.locked_by, 'pool-b');
    // Admin alerts are another task: never taken by a confirmation job.
    assert.ok(jobs.filter((j) => j.task_identifier === 'contact_admin_notification').every((j) => !j.locked_by));
    await pool.query('DELETE FROM graphile_worker._private_jobs');
    await pool.query('DELETE FROM email_deliveries');
  });

  test('when one delivery of a batch fails, then only its job is retried (unlocked, error, back-off) and the others go out once', async () => {
    const tickets = [];
    for (let i = 0; i < 6; i++)
      tickets.push(await createTicket(env.ctx, { email: i === 3 ? 'bad@example.com' : undefined }));
    const real = createMailTransport(env.ctx.config, env.ctx.logger);
    let sends = 0;
    const transport: MailTransport = {
      ...real,
      kind: real.kind,
      destination: real.destination,
      async send(message, opts) {
        sends++;
        const to = JSON.stringify(message.to);
        if (to.includes('bad@example.com')) throw new Error('550 mailbox unavailable');
        return real.send(message, opts);
      },
      close: () => real.close(),
    };
    // One slot: the first confirmation job it runs takes over the other five.
    const worker = await startWorker(env.ctx, { concurrency: 1, transport });
    try {
      await env.sink.waitFor(5 + 6, 30_000); // five confirmations, six admin alerts
      const bad = tickets[3]!;
      const row = await waitUntil(async () => {
        const { rows } = await env.ctx.db.pool.query<{ status: string; attempts: number; last_error: string | null }>(
          `SELECT status::text AS status, attempts, last_error FROM email_deliveries
           WHERE ticket_id = $1 AND kind = 'contact_confirmation'`,
          [bad.id],
        );
        return rows[0]?.last_error ? rows[0] : null;
      }, 'the failed delivery recorded its error');
      assert.equal(row.status, 'queued');
      assert.equal(row.attempts, 1);
      assert.match(row.last_error!, /550 mailbox unavailable/);
      const job = await waitUntil(async () => {
        const { rows } = await env.ctx.db.pool.query<{
          attempts: number;
          locked_by: string | null;
          last_error: string | null;
          due_later: boolean;
        }>(
          `SELECT attempts, locked_by, last_error, run_at > now() AS due_later FROM graphile_worker.jobs
           WHERE task_identifier = 'contact_confirmation'`,
        );
        return rows.length === 1 && rows[0]!.last_error ? rows[0] : null;
      }, 'only the failed job is left, reported failed');
      await worker.stop(); // before its back-off ends: nothing below can change any more
      assert.equal(job.attempts, 1);
      assert.equal(job.locked_by, null);
      assert.ok(job.due_later, 'retried after graphile back-off, not at once');
      const { rows: sent } = await env.ctx.db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM email_deliveries WHERE status = 'sent' AND attempts = 1`,
      );
      assert.equal(sent[0]!.n, 11);
      assert.equal(env.sink.messages.length, 11);
      assert.equal(new Set(env.sink.messages.map((m) => m.parsed.messageId)).size, 11);
      assert.equal(sends, 12);
    } finally {
      await worker.stop();
      real.close();
    }
  });
});

describe('email delivery: batches and the SMTP server', () => {
  let env: MailTestEnv;
  before(async () => {
    env = await mailTestEnv({ worker: false, env: { ADMIN_NOTIFY_EMAILS: 'ops@example.com' } });
  });
  after(async () => {
    await env.close();
  });

  test('when jobs with taken-over batches run, then no more messages are in flight at once than job slots', async () => {
    for (let i = 0; i < 12; i++) await createTicket(env.ctx);
    const real = createMailTransport(env.ctx.config, env.ctx.logger);
    let inFlight = 0;
    let most = 0;
    const transport: MailTransport = {
      kind: real.kind,
      destination: real.destination,
      async send(message, opts) {
        most = Math.max(most, ++inFlight);
        try {
          await new Promise((r) => setTimeout(r, 10)); // a server that takes its time
          return await real.send(message, opts);
        } finally {
          inFlight--;
        }
      },
      close: () => real.close(),
    };
    const worker = await startWorker(env.ctx, { concurrency: 2, transport });
    try {
      await env.sink.waitFor(24, 30_000);
      await waitForQueueDrained(env.ctx);
    } finally {
      await worker.stop();
      real.close();
    }
    assert.equal(most, 2, `at most ${most} messages were in flight at once`);
    assert.equal(new Set(env.sink.messages.map((m) => m.parsed.messageId)).size, 24);
  });
});

describe('email delivery: a delivery row held by another transaction', () => {
  let env: MailTestEnv;
  before(async () => {
    env = await mailTestEnv({ worker: false });
  });
  after(async () => {
    await env.close();
  });

  test('when one row is held, then the other mails of the batch still go out, and the held one once it is free', async () => {
    const tickets = [];
    for (let i = 0; i < 5; i++) tickets.push(await createTicket(env.ctx, { email: `held${i}@example.com` }));
    const holder = await env.ctx.db.pool.connect();
    let worker: WorkerHandle | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query(
        `SELECT 1 FROM email_deliveries WHERE ticket_id = $1 AND kind = 'contact_confirmation' FOR UPDATE`,
        [tickets[2]!.id],
      );
      worker = await startWorker(env.ctx, { concurrency: 1 });
      const held = () => env.sink.messages.map((m) => m.envelope.to[0]!).filter((to) => to.startsWith('held'));
      await waitUntil(async () => held().length >= 4, 'the four free confirmations arrived');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(held().sort(), [
        'held0@example.com',
        'held1@example.com',
        'held3@example.com',
        'held4@example.com',
      ]);
      await holder.query('COMMIT');
      await waitUntil(async () => held().length >= 5, 'the held confirmation arrived');
      await waitForQueueDrained(env.ctx);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      holder.release();
      await worker?.stop();
    }
    assert.equal(new Set(env.sink.messages.map((m) => m.parsed.messageId)).size, env.sink.messages.length);
    const { rows } = await env.ctx.db.pool.query(
      `SELECT status::text AS status, attempts, count(*)::int AS n FROM email_deliveries
       WHERE kind = 'contact_confirmation' GROUP BY 1, 2`,
    );
    assert.deepEqual(rows, [{ status: 'sent', attempts: 1, n: 5 }]);
  });
});

describe('email delivery: a backlog shared by two workers that take over jobs', () => {
  let env: MailTestEnv;
  const dbs: Db[] = [];
  before(async () => {
    env = await mailTestEnv({ worker: false, env: { ADMIN_NOTIFY_EMAILS: 'ops@example.com' } });
  });
  after(async () => {
    for (const db of dbs) await db.close();
    await env.close();
  });

  test('when 40 tickets wait and two workers start together, then every mail is sent exactly once', async () => {
    for (let i = 0; i < 40; i++) await createTicket(env.ctx);
    const workers: WorkerHandle[] = [];
    const sentBy = [0, 0];
    try {
      await Promise.all(
        [0, 1].map(async (i) => {
          const db = createWorkerDb(env.t.database.url, { ...env.ctx.config, WORKER_CONCURRENCY: 2 });
          dbs.push(db);
          workers.push(
            await startWorker(
              { ...env.ctx, db },
              { concurrency: 2, hooks: { afterSent: async () => void sentBy[i]!++ } },
            ),
          );
        }),
      );
      await env.sink.waitFor(80, 60_000);
      await waitForQueueDrained(env.ctx);
    } finally {
      for (const w of workers) await w.stop();
    }
    assert.equal(env.sink.messages.length, 80);
    assert.equal(new Set(env.sink.messages.map((m) => m.parsed.messageId)).size, 80, 'a message was delivered twice');
    const { rows } = await env.ctx.db.pool.query(
      `SELECT status::text AS status, attempts, count(*)::int AS n FROM email_deliveries GROUP BY 1, 2`,
    );
    assert.deepEqual(rows, [{ status: 'sent', attempts: 1, n: 80 }]);
    assert.equal(sentBy[0]! + sentBy[1]!, 80);
    assert.deepEqual(await queuedJobs(env.ctx), []);
  });
});

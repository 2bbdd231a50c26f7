// Processing in batches (src/inbound/inbound.batch.ts): one job run takes the mails waiting with
// its own, in one transaction. The worker is stopped after the tickets are submitted, so the
// mails stored here wait together and one call processes them as one batch.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { processInboundBatch } from '../../src/inbound/inbound.batch.js';
import { storeInboundMail } from '../../src/inbound/inbound.store.js';
import {
  customerMessages,
  fixture,
  inboundRow,
  inboundTestEnv,
  submitTicket,
  waitUntil,
  withMessageId,
  type MailTestEnv,
  type SubmittedTicket,
} from './inbound-setup.js';

describe('inbound mail in batches', () => {
  let env: MailTestEnv;
  const tickets: SubmittedTicket[] = [];

  before(async () => {
    env = await inboundTestEnv();
    for (const n of [1, 2, 3, 4]) tickets.push(await submitTicket(env, `batch${n}@gmail.example`, `Batch ${n}`));
    await env.worker!.stop();
  });
  after(() => env.close());

  const store = async (raw: Buffer) => (await storeInboundMail(env.ctx, { raw, channel: 'smtp' })).id;
  /** Jobs that would process any of `ids`: a mail's own (an admin's retry) or its group's (the store's). */
  const jobsOf = async (ids: string[]) => {
    const { rows } = await env.ctx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM graphile_worker._private_jobs
       WHERE key = ANY($1::text[])
          OR EXISTS (SELECT 1 FROM json_array_elements_text(payload -> 'inboundMailIds') x(id) WHERE x.id = ANY($2::text[]))`,
      [ids.map((id) => `inbound:${id}`), ids],
    );
    return rows[0]!.n;
  };

  test('when mails wait together, then one run threads them all, two copies of one mail once, and their jobs are gone', async () => {
    const [a, b] = tickets;
    const reply = withMessageId(fixture('gmail-reply', a!.vars), '<batch-copy@mail.gmail.example>');
    const own = await store(withMessageId(fixture('apple-reply', b!.vars), '<batch-own@icloud.example>'));
    const first = await store(reply);
    const second = await store(reply); // the same mail again (fetched twice, or over two channels)
    assert.equal(await jobsOf([first, second]), 2, 'each stored group has its job');

    const result = await processInboundBatch(env.ctx, own);

    assert.deepEqual([result.status, result.outcome, result.ticketId], ['processed', 'appended', b!.id]);
    const rows = await Promise.all([own, first, second].map((id) => inboundRow(env, id)));
    assert.deepEqual(
      rows.map((r) => [r.status, r.outcome, r.ticket_id, r.attempts]),
      [
        ['processed', 'appended', b!.id, 1],
        ['processed', 'appended', a!.id, 1],
        ['ignored', 'duplicate', a!.id, 1],
      ],
    );
    assert.equal((await customerMessages(env, a!.id)).length, 1, 'two copies are one message');
    assert.equal((await customerMessages(env, b!.id)).length, 1);
    assert.equal(await jobsOf([first, second]), 0, 'the mails taken into the batch lost their jobs');
  });

  test('when a batch holds the inbound queue, then a stored mail gets its job without waking the workers; when the queue is free, storing wakes them', async () => {
    const [a, b] = tickets;
    const listener = await env.ctx.db.pool.connect();
    const notices: string[] = [];
    listener.on('notification', (n) => notices.push(n.payload ?? ''));
    await listener.query('LISTEN "jobs:insert"');
    // PostgreSQL delivers notices in commit order: once a marker sent after the store arrived, any
    // notice of the store would have arrived before it.
    const noticesOfStoring = async (marker: string) => {
      await env.ctx.db.pool.query(`SELECT pg_notify('jobs:insert', $1)`, [marker]);
      await waitUntil(async () => notices.includes(marker), `the notice ${marker}`, 10_000);
      return notices.splice(0).filter((n) => n !== marker);
    };
    const lockQueue = (lockedBy: string | null) =>
      env.ctx.db.pool.query(
        `UPDATE graphile_worker._private_job_queues SET locked_at = CASE WHEN $1::text IS NULL THEN NULL ELSE now() END,
           locked_by = $1 WHERE queue_name = 'inbound'`,
        [lockedBy],
      );
    try {
      await lockQueue('a-running-batch');
      const quiet = await store(withMessageId(fixture('gmail-reply', a!.vars), '<batch-quiet@mail.gmail.example>'));
      assert.deepEqual(await noticesOfStoring('after-quiet'), [], 'no worker was woken');
      const { rows: jobs } = await env.ctx.db.pool.query(
        `SELECT t.identifier AS task_identifier, q.queue_name, j.payload, j.attempts, j.max_attempts,
           j.run_at <= now() AS due, j.locked_at
         FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id
         JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
         WHERE EXISTS (SELECT 1 FROM json_array_elements_text(j.payload -> 'inboundMailIds') x(id) WHERE x.id = $1)`,
        [quiet],
      );
      assert.deepEqual(jobs, [
        {
          task_identifier: 'inbound_process',
          queue_name: 'inbound',
          payload: { inboundMailIds: [quiet] },
          attempts: 0,
          max_attempts: 5,
          due: true,
          locked_at: null,
        },
      ]);

      await lockQueue(null);
      const woken = await store(withMessageId(fixture('apple-reply', b!.vars), '<batch-woken@icloud.example>'));
      const sent = await noticesOfStoring('after-woken');
      assert.equal(sent.length, 1, 'storing with the queue free woke the workers');
      assert.equal(JSON.parse(sent[0]!).count, 1);

      // The quietly queued job is an ordinary one: a run takes both mails and both jobs go.
      const result = await processInboundBatch(env.ctx, woken);
      assert.deepEqual([result.status, result.outcome, result.ticketId], ['processed', 'appended', b!.id]);
      assert.deepEqual(
        [(await inboundRow(env, quiet)).status, (await inboundRow(env, quiet)).ticket_id],
        ['processed', a!.id],
      );
      // (the run's own job is graphile's to delete when the run ends; called directly here, it stays)
      assert.equal(await jobsOf([quiet]), 0, 'the quietly queued job went with its mail');
    } finally {
      await lockQueue(null);
      await listener.query('UNLISTEN *');
      listener.release();
    }
  });

  test('when one mail of a batch breaks, then the others are processed and only it is recorded as failed', async () => {
    const [, , c, d] = tickets;
    // A real failure inside the processing transaction, for this one mail's text only.
    await env.ctx.db.pool.query(`CREATE FUNCTION fail_batch_message() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.message_id = '<batch-broken@mail.gmail.example>' THEN
        RAISE EXCEPTION 'could not extend file: No space left on device (test)'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER fail_batch_message BEFORE INSERT ON ticket_messages FOR EACH ROW EXECUTE FUNCTION fail_batch_message()`);
    try {
      const own = await store(withMessageId(fixture('gmail-reply', c!.vars), '<batch-good-1@mail.gmail.example>'));
      const broken = await store(withMessageId(fixture('gmail-reply', d!.vars), '<batch-broken@mail.gmail.example>'));
      const good = await store(withMessageId(fixture('apple-reply', d!.vars), '<batch-good-2@icloud.example>'));

      const result = await processInboundBatch(env.ctx, own);

      assert.deepEqual([result.status, result.outcome], ['processed', 'appended']);
      const [o, x, g] = await Promise.all([own, broken, good].map((id) => inboundRow(env, id)));
      assert.deepEqual([o!.status, o!.outcome, o!.ticket_id], ['processed', 'appended', c!.id]);
      assert.deepEqual([g!.status, g!.outcome, g!.ticket_id], ['processed', 'appended', d!.id]);
      assert.equal(x!.status, 'failed');
      assert.match(x!.error!, /No space left on device/);
      assert.deepEqual(
        (await customerMessages(env, d!.id)).map((m) => m.message_id),
        ['<batch-good-2@icloud.example>'],
      );
      assert.equal((await customerMessages(env, c!.id)).length, 1);
    } finally {
      await env.ctx.db.pool.query(
        'DROP TRIGGER fail_batch_message ON ticket_messages; DROP FUNCTION fail_batch_message()',
      );
    }
  });
});

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
  const jobsOf = async (ids: string[]) => {
    const { rows } = await env.ctx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key = ANY($1::text[])`,
      [ids.map((id) => `inbound:${id}`)],
    );
    return rows[0]!.n;
  };

  test('when mails wait together, then one run threads them all, two copies of one mail once, and their jobs are gone', async () => {
    const [a, b] = tickets;
    const reply = withMessageId(fixture('gmail-reply', a!.vars), '<batch-copy@mail.gmail.example>');
    const own = await store(withMessageId(fixture('apple-reply', b!.vars), '<batch-own@icloud.example>'));
    const first = await store(reply);
    const second = await store(reply); // the same mail again (fetched twice, or over two channels)

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

// POST /api/v1/inbound/mime (the HTTP way in), the raw-first guarantee (a mail whose processing
// fails is kept, shown to admins and retried), and the whole conversation round trip: a
// moderator's reply email, the customer's answer to it, back in the same thread.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AddressObject } from 'mailparser';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { processInboundMail } from '../../src/inbound/inbound.process.js';
import { createUserWithToken } from '../helpers/factories.js';
import {
  customerMessages,
  fixture,
  inboundRow,
  inboundTestEnv,
  INBOUND_SECRET,
  submitTicket,
  ticketById,
  waitForQueueDrained,
  waitProcessed,
  waitUntil,
  withMessageId,
  type MailTestEnv,
} from './inbound-setup.js';

const MIME = '/api/v1/inbound/mime';
const auth = { Authorization: `Bearer ${INBOUND_SECRET}` };

describe('inbound over HTTP', () => {
  let env: MailTestEnv;
  let admin: Awaited<ReturnType<typeof createUserWithToken>>;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  before(async () => {
    env = await inboundTestEnv();
    admin = await createUserWithToken(env.ctx, { role: 'admin' });
    mod = await createUserWithToken(env.ctx, { role: 'moderator', name: 'Mo Derator' });
  });
  after(() => env.close());

  const post = (raw: Buffer, headers: Record<string, string> = auth, type = 'message/rfc822') =>
    request(env.t.app).post(MIME).set(headers).set('Content-Type', type).send(raw);

  test('when INBOUND_HTTP_SECRET is unset, then the endpoint is 404 whatever is sent', async () => {
    const app = await buildApp({ ...env.ctx, config: { ...env.ctx.config, INBOUND_HTTP_SECRET: undefined } });
    const res = await request(app).post(MIME).set(auth).set('Content-Type', 'message/rfc822').send(fixture('new-mail'));
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
    const { rows } = await env.ctx.db.pool.query('SELECT count(*)::int AS n FROM inbound_mails');
    assert.equal(rows[0].n, 0);
  });

  test('when the secret is missing or wrong (or an API token is sent), then 401 and nothing is stored', async () => {
    for (const headers of [{}, { Authorization: `Bearer ${INBOUND_SECRET}x` }, admin.auth]) {
      const res = await post(fixture('new-mail'), headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.body.error.code, 'unauthenticated');
    }
    const { rows } = await env.ctx.db.pool.query('SELECT count(*)::int AS n FROM inbound_mails');
    assert.equal(rows[0].n, 0);
  });

  test('when the body is not a raw message, then 415; when empty, then 400; over 25 MB, then 413', async () => {
    assert.equal((await post(Buffer.from('{"a":1}'), auth, 'application/json')).status, 415);
    assert.equal((await post(Buffer.alloc(0))).status, 400);
    const huge = await post(Buffer.alloc(25 * 1024 * 1024 + 1, 0x61));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'payload_too_large');
    // Just under 25 MB is fine: a mail with a large attachment (base64, 76-character lines).
    const line = `${'QUJD'.repeat(19)}\r\n`;
    const big = Buffer.from(
      [
        'From: Big Attachment <big@example.org>',
        'To: support@desk.test',
        'Subject: The scans you asked for',
        'Message-ID: <big-1@example.org>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=UTF-8',
        '',
        'Scans attached.',
        '--b1',
        'Content-Type: application/pdf; name="scans.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        line.repeat(Math.floor((24.9 * 1024 * 1024) / line.length)) + '--b1--',
        '',
      ].join('\r\n'),
    );
    assert.ok(big.length > 24 * 1024 * 1024 && big.length <= 25 * 1024 * 1024);
    const accepted = await post(big).expect(202);
    assert.equal((await waitProcessed(env, accepted.body.id)).outcome, 'new_ticket');
  });

  test('when a mail is posted twice, then both are accepted (202) but it is one ticket', async () => {
    const raw = fixture('new-mail');
    const first = await post(raw).expect(202);
    const second = await post(raw, auth, 'text/plain').expect(202);
    assert.equal(first.body.status, 'received');
    // Stored byte for byte before anything else happened.
    const { rows } = await env.ctx.db.pool.query('SELECT raw, channel, size FROM inbound_mails WHERE id = $1', [
      first.body.id,
    ]);
    assert.ok(Buffer.compare(rows[0].raw, raw) === 0);
    assert.deepEqual([rows[0].channel, rows[0].size], ['http', raw.length]);
    const a = await waitProcessed(env, first.body.id);
    const b = await waitProcessed(env, second.body.id);
    const outcomes = [a.outcome, b.outcome].sort();
    assert.deepEqual(outcomes, ['duplicate', 'new_ticket']);
    assert.equal(a.ticket_id, b.ticket_id);
    const { rows: tickets } = await env.ctx.db.pool.query(
      `SELECT count(*)::int AS n FROM contact_submissions WHERE email = 'nina.new@example.org'`,
    );
    assert.equal(tickets[0].n, 1);
  });

  test('when processing throws, then the raw mail stays, is listed as failed for admins, and a retry processes it', async () => {
    const t = await submitTicket(env, 'retry@gmail.example', 'Retry me');
    // A real failure inside the processing transaction (say the disk is full).
    await env.ctx.db.pool.query(`CREATE FUNCTION fail_messages() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not extend file: No space left on device (test)'; END $$;
      CREATE TRIGGER fail_messages BEFORE INSERT ON ticket_messages FOR EACH ROW EXECUTE FUNCTION fail_messages()`);
    let id: string;
    try {
      const raw = withMessageId(fixture('gmail-reply', t.vars), '<retry-1@mail.gmail.example>');
      id = (await post(raw).expect(202)).body.id;
      const failed = await waitProcessed(env, id);
      assert.equal(failed.status, 'failed');
      assert.match(failed.error!, /No space left on device/);
      assert.equal(failed.attempts, 1);
      assert.deepEqual(await customerMessages(env, t.id), []);
    } finally {
      await env.ctx.db.pool.query('DROP TRIGGER fail_messages ON ticket_messages; DROP FUNCTION fail_messages()');
    }
    await request(env.t.app).get('/api/v1/inbound/mails?status=failed').set(mod.auth).expect(403);
    const list = await request(env.t.app).get('/api/v1/inbound/mails?status=failed').set(admin.auth).expect(200);
    assert.deepEqual(
      list.body.mails.map((m: { id: string }) => m.id),
      [id],
    );
    assert.equal(list.body.mails[0].raw, undefined);

    const retried = await request(env.t.app).post(`/api/v1/inbound/mails/${id}/retry`).set(admin.auth).expect(202);
    assert.equal(retried.body.status, 'received');
    const done = await waitProcessed(env, id);
    assert.deepEqual(
      [done.status, done.outcome, done.ticket_id, done.attempts, done.error],
      ['processed', 'appended', t.id, 2, null],
    );
    assert.equal((await customerMessages(env, t.id)).length, 1);
    // Processed is final: a second retry is refused, and a re-run of the job changes nothing.
    const again = await request(env.t.app).post(`/api/v1/inbound/mails/${id}/retry`).set(admin.auth).expect(409);
    assert.equal(again.body.error.code, 'not_retryable');
    assert.deepEqual(await processInboundMail(env.ctx, id), { status: 'skipped' });
    assert.equal((await customerMessages(env, t.id)).length, 1);
    assert.equal((await inboundRow(env, id)).attempts, 2);
  });

  test('when a moderator replies and the customer answers that email, then the answer is in the same thread within seconds', async () => {
    const t = await submitTicket(env, 'roundtrip@gmail.example', 'Parcel damaged', 'Rita Roundtrip');
    await request(env.t.app)
      .post(`/api/v1/contact/${t.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'reply', body: 'Could you send us a photo of the damage?' })
      .expect(201);
    await waitForQueueDrained(env.ctx);
    const reply = env.sink.to(t.email).find((m) => m.parsed.text?.includes('photo of the damage'));
    assert.ok(reply, 'the reply email was sent');
    const replyTo = String((reply.parsed.replyTo as AddressObject).value[0]!.address);
    const refs = [reply.parsed.references ?? []].flat().join(' ');
    // What her mail client sends when she presses Reply.
    const answer = [
      `From: Rita Roundtrip <${t.email}>`,
      `To: ${replyTo}`,
      `Subject: Re: ${reply.parsed.subject}`,
      `Date: ${new Date().toUTCString()}`,
      'Message-ID: <rita-answer-1@mail.gmail.example>',
      `In-Reply-To: ${reply.parsed.messageId}`,
      `References: ${refs} ${reply.parsed.messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'Here is the photo: the box was crushed on one side.',
      '',
      `On ${new Date().toUTCString()}, ContactDesk Support <${replyTo}> wrote:`,
      '> Could you send us a photo of the damage?',
      '',
    ].join('\r\n');
    const started = Date.now();
    await post(Buffer.from(answer)).expect(202);
    const messages = await waitUntil(
      async () => {
        const rows = await customerMessages(env, t.id);
        return rows.some((m) => m.kind === 'customer') && rows;
      },
      'the answer is in the thread',
      5_000,
    );
    const elapsed = Date.now() - started;
    assert.deepEqual(
      messages.map((m) => [m.kind, m.body_text]),
      [
        ['reply', 'Could you send us a photo of the damage?'],
        ['customer', 'Here is the photo: the box was crushed on one side.'],
      ],
    );
    assert.equal((await ticketById(env, t.id)).status, 'in_progress');
    const row = (
      await env.ctx.db.pool.query(
        `SELECT id FROM inbound_mails WHERE message_id = '<rita-answer-1@mail.gmail.example>'`,
      )
    ).rows[0];
    assert.equal((await inboundRow(env, row.id)).outcome, 'appended');
    // The thread through the API, as the panel reads it.
    const thread = await request(env.t.app).get(`/api/v1/contact/${t.id}/messages`).set(mod.auth).expect(200);
    assert.deepEqual(
      thread.body.messages.map((m: { kind: string }) => m.kind),
      ['submission', 'reply', 'customer'],
    );
    assert.ok(elapsed < 5_000, `${elapsed} ms`);
  });
});

// Mail that a machine wrote: bounces mark the delivery failed, out-of-office answers never reopen
// or cause mail, lists and automated senders get no confirmation, our own mail coming back is a
// loop, and no address gets more than 5 confirmations an hour.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { AUTO_REPLY_LIMIT_PER_HOUR } from '../../src/inbound/inbound.process.js';
import { createUserWithToken } from '../helpers/factories.js';
import {
  customerMessages,
  deliver,
  deliveriesTo,
  fixture,
  inboundTestEnv,
  submitTicket,
  ticketById,
  waitForQueueDrained,
  withMessageId,
  type MailTestEnv,
} from './inbound-setup.js';

describe('inbound noise: bounces, auto-replies, lists, loops', () => {
  let env: MailTestEnv;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  before(async () => {
    env = await inboundTestEnv();
    mod = await createUserWithToken(env.ctx, { role: 'moderator' });
  });
  after(() => env.close());

  test('when a DSN bounces our confirmation, then that delivery is failed with the reason and no message is added', async () => {
    const t = await submitTicket(env, 'bob.bounce@customer.example', 'Where is my refund', 'Bob Bounce');
    assert.equal((await deliveriesTo(env, t.email))[0]!.status, 'sent');
    const row = await deliver(env, fixture('bounce', t.vars), { envelopeFrom: '' });
    assert.deepEqual(
      [row.status, row.outcome, row.ticket_id, row.ticket_message_id],
      ['ignored', 'bounce', t.id, null],
    );
    const [delivery] = await deliveriesTo(env, t.email);
    assert.equal(delivery!.status, 'failed');
    assert.match(delivery!.last_error!, /^bounced: 5\.1\.1 550 5\.1\.1 .*User unknown in virtual mailbox table/);
    assert.deepEqual(await customerMessages(env, t.id), []);
    assert.equal((await ticketById(env, t.id)).status, 'pending');
    // Nobody answered the mailer daemon.
    await waitForQueueDrained(env.ctx);
    assert.equal(env.sink.to('MAILER-DAEMON@mx.customer.example').length, 0);
  });

  test('when a bounce carries no Message-ID of ours, then the recipient it names finds the delivery', async () => {
    const t = await submitTicket(env, 'bob2@customer.example', 'Refund 2', 'Bob Two');
    const raw = withMessageId(fixture('bounce', t.vars), '<20261202-second-bounce@mx.customer.example>')
      .toString()
      .replace(/^Message-ID: <cd\.[^>]+>\r\n/m, '');
    assert.doesNotMatch(raw, /<cd\./);
    const row = await deliver(env, Buffer.from(raw));
    assert.equal(row.outcome, 'bounce');
    assert.equal((await deliveriesTo(env, t.email))[0]!.status, 'failed');
  });

  test('when an out-of-office answers on an open ticket, then it joins the thread but changes no status and sends nothing', async () => {
    const t = await submitTicket(env, 'away@customer.example', 'Broken zipper');
    const sentBefore = env.sink.messages.length;
    const row = await deliver(env, fixture('out-of-office', t.vars), { envelopeFrom: '' });
    assert.deepEqual([row.status, row.outcome, row.ticket_id], ['processed', 'auto_reply', t.id]);
    const [msg] = await customerMessages(env, t.id);
    assert.match(msg!.body_text, /^I am out of the office until 14 December/);
    assert.equal((await ticketById(env, t.id)).status, 'pending');
    await waitForQueueDrained(env.ctx);
    assert.equal(env.sink.messages.length, sentBefore);
  });

  test('when an out-of-office answers on a resolved ticket, then it is ignored and the ticket stays resolved', async () => {
    const t = await submitTicket(env, 'away2@customer.example', 'Zipper again');
    await request(env.t.app)
      .post(`/api/v1/contact/${t.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'reply', body: 'A new zipper is on its way.', status: 'resolved' })
      .expect(201);
    await waitForQueueDrained(env.ctx);
    const sentBefore = env.sink.messages.length;
    const row = await deliver(env, withMessageId(fixture('out-of-office', t.vars), '<ooo-2@EXCH01.customer.example>'));
    assert.deepEqual([row.status, row.outcome, row.ticket_id], ['ignored', 'auto_reply', t.id]);
    assert.equal((await ticketById(env, t.id)).status, 'resolved');
    assert.deepEqual(
      (await customerMessages(env, t.id)).map((m) => m.kind),
      ['reply'],
    );
    await waitForQueueDrained(env.ctx);
    assert.equal(env.sink.messages.length, sentBefore);
  });

  test('when a mailing-list mail arrives, then it becomes a ticket without a confirmation, its HTML sanitised', async () => {
    const row = await deliver(env, fixture('mailing-list'));
    assert.equal(row.outcome, 'new_ticket');
    const ticket = await ticketById(env, row.ticket_id!);
    assert.equal(ticket.email, 'news@newsletter.example');
    assert.match(ticket.message, /20% off everything\s+Only this week & only online\./);
    assert.doesNotMatch(ticket.message, /color:red|pixel/);
    await waitForQueueDrained(env.ctx);
    assert.deepEqual(await deliveriesTo(env, 'news@newsletter.example'), []);
    assert.equal(env.sink.to('news@newsletter.example').length, 0);
  });

  test('when a mail says Auto-Submitted or X-Loop, then the ticket it opens gets no confirmation', async () => {
    for (const [i, header] of [
      'Auto-Submitted: auto-generated',
      'X-Loop: helpdesk@other.example',
      'Precedence: junk',
    ].entries()) {
      const raw = fixture('new-mail')
        .toString()
        .replaceAll('nina.new@example.org', `robot${i}@example.org`)
        .replace('<a8b7c6d5-', `<robot${i}-`)
        .replace('MIME-Version: 1.0', `${header}\r\nMIME-Version: 1.0`);
      const row = await deliver(env, Buffer.from(raw));
      assert.equal(row.outcome, 'new_ticket', header);
      assert.deepEqual(await deliveriesTo(env, `robot${i}@example.org`), [], header);
    }
    // The same mail without those headers does get one (the assertion above can fail).
    const plain = fixture('new-mail')
      .toString()
      .replaceAll('nina.new@example.org', 'human@example.org')
      .replace('<a8b7c6d5-', '<human-');
    await deliver(env, Buffer.from(plain));
    assert.equal((await deliveriesTo(env, 'human@example.org')).length, 1);
  });

  test('when our own confirmation comes back in (a forwarding loop), then it is ignored as a loop', async () => {
    const t = await submitTicket(env, 'loop@customer.example', 'Loop check');
    const row = await deliver(env, Buffer.from(t.confirmation.raw));
    assert.deepEqual([row.status, row.outcome, row.ticket_id], ['ignored', 'loop', null]);
    assert.deepEqual(await customerMessages(env, t.id), []);
  });

  test('when one address opens many tickets within an hour, then only the first five get a confirmation', async () => {
    const n = AUTO_REPLY_LIMIT_PER_HOUR + 2;
    for (let i = 0; i < n; i++) {
      const raw = fixture('new-mail')
        .toString()
        .replaceAll('nina.new@example.org', 'flood@example.org')
        .replace('<a8b7c6d5-', `<flood${i}-`);
      assert.equal((await deliver(env, Buffer.from(raw))).outcome, 'new_ticket');
    }
    const { rows } = await env.ctx.db.pool.query(
      `SELECT count(*)::int AS n FROM contact_submissions WHERE email = 'flood@example.org'`,
    );
    assert.equal(rows[0].n, n);
    assert.equal((await deliveriesTo(env, 'flood@example.org')).length, AUTO_REPLY_LIMIT_PER_HOUR);
  });
});

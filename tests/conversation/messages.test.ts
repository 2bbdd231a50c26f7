// The thread through REST and the reply email through the real pipeline (worker → SMTP sink):
// reply / note / reply-and-resolve, the status rules, the collision guard, the mail's headers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { AddressObject } from 'mailparser';
import { addCustomerMessage } from '../../src/conversation/customer-message.js';
import { ticketFromReplyAddress } from '../../src/conversation/mail-signing.js';
import { createUserWithToken } from '../helpers/factories.js';
import { mailTestEnv, waitForQueueDrained, type MailTestEnv } from '../mail/mail-setup.js';

const first = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value[0];
const API = '/api/v1/contact';

describe('conversations: replies, notes and customer messages', () => {
  let env: MailTestEnv;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;

  before(async () => {
    env = await mailTestEnv();
    mod = await createUserWithToken(env.ctx, { role: 'moderator', name: 'Mo Derator' });
  });
  after(() => env.close());

  async function submit(subject: string) {
    const res = await request(env.t.app)
      .post(`${API}/submit`)
      .send({ name: 'Cara Customer', email: 'cara@example.com', subject, message: 'My order never came.' })
      .expect(201);
    await waitForQueueDrained(env.ctx);
    return res.body as { id: string; ticket_number: string };
  }
  const mailsFor = (ticketNumber: string) =>
    env.sink.messages.filter(
      (m) => m.parsed.subject?.includes(ticketNumber) && m.envelope.to.includes('cara@example.com'),
    );
  const ticketRow = async (id: string) =>
    (
      await env.ctx.db.pool.query('SELECT status, assigned_to_id, resolved_at FROM contact_submissions WHERE id = $1', [
        id,
      ])
    ).rows[0];

  test('when a moderator replies to a pending ticket, then it is emailed in the thread, the ticket is in progress and assigned', async () => {
    const ticket = await submit('Order 1001 missing');
    const posted = await request(env.t.app)
      .post(`${API}/${ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'reply', body: 'Sorry! It ships today.' })
      .expect(201);
    assert.equal(posted.body.ticket_status, 'in_progress');
    assert.equal(posted.body.message.direction, 'out');
    assert.equal((await ticketRow(ticket.id)).assigned_to_id, mod.user.id);
    await waitForQueueDrained(env.ctx);
    const [confirmation, reply] = mailsFor(ticket.ticket_number);
    assert.ok(confirmation && reply, 'confirmation and reply both arrived');
    assert.equal(reply.parsed.subject, `[${ticket.ticket_number}] Re: Order 1001 missing`);
    assert.ok(reply.parsed.text!.includes('Sorry! It ships today.'));
    // Threaded under the confirmation the customer already has; a person wrote it.
    assert.equal(reply.parsed.inReplyTo, confirmation.parsed.messageId);
    assert.equal(reply.parsed.headers.get('auto-submitted'), undefined);
    const replyTo = String(first(reply.parsed.replyTo)?.address);
    assert.equal(ticketFromReplyAddress(env.ctx.config, [replyTo]), ticket.id);
    // The thread shows the delivery state and the Message-ID the mail went out with.
    const thread = await request(env.t.app).get(`${API}/${ticket.id}/messages`).set(mod.auth).expect(200);
    assert.deepEqual(
      thread.body.messages.map((m: { kind: string }) => m.kind),
      ['submission', 'reply'],
    );
    assert.equal(thread.body.messages[1].delivery.status, 'sent');
    assert.equal(thread.body.messages[1].message_id, reply.parsed.messageId);
    // Audited like every change: the history names who wrote it and through what.
    const history = await request(env.t.app).get(`${API}/${ticket.id}/history`).set(mod.auth).expect(200);
    const entry = history.body.entries.find((e: { type: string }) => e.type === 'message');
    assert.deepEqual([entry.kind, entry.actor.id, entry.source], ['reply', mod.user.id, 'api']);
  });

  test('when a moderator adds a note, then nothing is emailed and the status does not move', async () => {
    const ticket = await submit('Note only');
    const before = mailsFor(ticket.ticket_number).length;
    const posted = await request(env.t.app)
      .post(`${API}/${ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'note', body: 'Customer is a reseller.' })
      .expect(201);
    assert.equal(posted.body.message.direction, 'internal');
    assert.equal(posted.body.ticket_status, 'pending');
    await waitForQueueDrained(env.ctx);
    assert.equal(mailsFor(ticket.ticket_number).length, before);
  });

  test('when a moderator replies and resolves, then one transaction sends one mail: the reply, no separate resolution mail', async () => {
    const ticket = await submit('Resolve with reply');
    await request(env.t.app)
      .post(`${API}/${ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'reply', body: 'Refund issued.', status: 'resolved' })
      .expect(201);
    await waitForQueueDrained(env.ctx);
    const row = await ticketRow(ticket.id);
    assert.equal(row.status, 'resolved');
    assert.ok(row.resolved_at);
    const subjects = mailsFor(ticket.ticket_number).map((m) => m.parsed.subject);
    assert.equal(subjects.filter((s) => s?.includes('Re: Resolve with reply')).length, 1);
    assert.equal(subjects.filter((s) => s?.includes('has been resolved')).length, 0);
  });

  test('when a newer message arrived since the page loaded, then the reply is refused with 409 stale_thread', async () => {
    const ticket = await submit('Collision');
    const seen = (await request(env.t.app).get(`${API}/${ticket.id}/messages`).set(mod.auth).expect(200)).body.messages;
    const lastSeen = seen.at(-1).id;
    await addCustomerMessage(
      env.ctx,
      {
        ticketId: ticket.id,
        fromEmail: 'cara@example.com',
        fromName: 'Cara',
        subject: 'Re: Collision',
        bodyText: 'Any news?',
        bodyHtml: null,
        messageId: '<any-news@mail.example>',
        inboundMailId: null,
        channel: 'email',
      },
      { source: 'worker' },
    );
    const refused = await request(env.t.app)
      .post(`${API}/${ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'reply', body: 'Working on it', last_seen_message_id: lastSeen })
      .expect(409);
    assert.equal(refused.body.error.code, 'stale_thread');
    const fresh = (await request(env.t.app).get(`${API}/${ticket.id}/messages`).set(mod.auth).expect(200)).body
      .messages;
    await request(env.t.app)
      .post(`${API}/${ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'reply', body: 'Working on it', last_seen_message_id: fresh.at(-1).id })
      .expect(201);
  });

  test('when the customer writes after resolution, then within the window the ticket reopens; after it, or archived, a new linked ticket opens', async () => {
    const customer = (ticketId: string | null, messageId: string) =>
      addCustomerMessage(
        env.ctx,
        {
          ticketId,
          fromEmail: 'cara@example.com',
          fromName: 'Cara',
          subject: 'Re: again',
          bodyText: 'Still broken.',
          bodyHtml: null,
          messageId,
          inboundMailId: null,
          channel: 'email',
        },
        { source: 'worker' },
      );
    const recent = await submit('Reopen me');
    await request(env.t.app).post(`${API}/${recent.id}/mark-resolved`).set(mod.auth).send({}).expect(200);
    const reopened = await customer(recent.id, '<reopen@mail.example>');
    assert.equal(reopened.outcome, 'reopened');
    assert.equal((await ticketRow(recent.id)).status, 'in_progress');
    // The same mail again is the same message: nothing changes.
    assert.equal((await customer(recent.id, '<reopen@mail.example>')).outcome, 'duplicate');

    const old = await submit('Long closed');
    await request(env.t.app).post(`${API}/${old.id}/mark-resolved`).set(mod.auth).send({}).expect(200);
    await env.ctx.db.pool.query(
      `UPDATE contact_submissions SET resolved_at = now() - interval '15 days' WHERE id = $1`,
      [old.id],
    );
    const followUp = await customer(old.id, '<late@mail.example>');
    assert.equal(followUp.outcome, 'follow_up');
    assert.notEqual(followUp.ticketId, old.id);
    const linked = await request(env.t.app).get(`${API}/${followUp.ticketId}`).set(mod.auth).expect(200);
    assert.equal(linked.body.parent_ticket_id, old.id);
    assert.equal(linked.body.channel, 'email');
    assert.equal(linked.body.category, 'general');
    assert.equal((await ticketRow(old.id)).status, 'resolved');

    const archived = await submit('Archived one');
    await request(env.t.app).post(`${API}/${archived.id}/mark-resolved`).set(mod.auth).send({}).expect(200);
    await request(env.t.app).post(`${API}/${archived.id}/archive`).set(mod.auth).send({}).expect(200);
    const fromArchived = await customer(archived.id, '<archived@mail.example>');
    assert.equal(fromArchived.outcome, 'follow_up');
  });

  test('when the body is empty or the kind unknown, then 400 names the field and nothing is written', async () => {
    const ticket = await submit('Bad input');
    const bad = await request(env.t.app)
      .post(`${API}/${ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'shout', body: '' })
      .expect(400);
    assert.ok(bad.body.error.fields.kind && bad.body.error.fields.body);
    const thread = (await request(env.t.app).get(`${API}/${ticket.id}/messages`).set(mod.auth).expect(200)).body;
    assert.equal(thread.messages.length, 1);
    const user = await createUserWithToken(env.ctx, { role: 'user' });
    await request(env.t.app).get(`${API}/${ticket.id}/messages`).set(user.auth).expect(403);
    await request(env.t.app).get(`${API}/${ticket.id}/messages`).expect(401);
  });
});

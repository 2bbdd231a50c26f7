// The ticket workspace's API in the panel (admin/actions/ticket-conversation.actions.ts), through
// the real panel login: replies, notes and reply-and-resolve through postStaffMessage, the
// stale_thread guard, and the presence heartbeat between two moderators kept in PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { addCustomerMessage } from '../../src/conversation/customer-message.js';
import { PRESENCE_TTL_MS } from '../../src/conversation/presence.service.js';
import { rateTicket } from '../../src/portal/ratings.js';
import { TestClock, type TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const API = '/admin/api/resources/tickets/records';
const conversation = (id: string) => `${API}/${id}/conversation`;
const presence = (id: string) => `${API}/${id}/presence`;

type Msg = { id: string; kind: string; author: { name: string }; body_text: string; delivery: { status: string } | null };

describe('panel ticket workspace', () => {
  const clock = new TestClock('2026-12-02T10:00:00Z');
  let t: TestApp;
  let ann: TestUser;
  let ben: TestUser;
  let annAgent: PanelAgent;
  let benAgent: PanelAgent;
  const row = async (id: string) =>
    (await t.ctx.db.pool.query('SELECT status, assigned_to_id FROM contact_submissions WHERE id = $1', [id])).rows[0];
  const deliveries = async (id: string) =>
    (
      await t.ctx.db.pool.query<{ kind: string; ticket_message_id: string | null }>(
        'SELECT kind, ticket_message_id FROM email_deliveries WHERE ticket_id = $1 AND kind <> $2 ORDER BY created_at',
        [id, 'contact_confirmation'],
      )
    ).rows.filter((d) => d.kind !== 'contact_admin_notification');
  const customerWrites = (ticketId: string, body: string) =>
    addCustomerMessage(
      t.ctx,
      {
        ticketId,
        fromEmail: 'bea@example.com',
        fromName: 'Bea Buyer',
        subject: 'Re: Refund',
        bodyText: body,
        bodyHtml: null,
        messageId: null,
        inboundMailId: null,
        channel: 'email',
      },
      { source: 'worker' },
    );

  before(async () => {
    t = await createPanelTestApp({ clock });
    ann = await createUser(t.ctx, { role: 'moderator', name: 'Ann Agent' });
    ben = await createUser(t.ctx, { role: 'admin', name: 'Ben Boss' });
    annAgent = await panelLogin(t.app, ann);
    benAgent = await panelLogin(t.app, ben);
  });
  after(() => t.close());

  test('when a moderator opens the workspace, then the thread comes oldest first starting with the original message', async () => {
    const ticket = await createTicket(t.ctx, { subject: 'Refund', message: 'Please refund order 7' });
    await customerWrites(ticket.id, 'Any news?');
    const res = await annAgent.get(conversation(ticket.id)).expect(200);
    assert.deepEqual(
      res.body.messages.map((m: Msg) => [m.kind, m.body_text]),
      [
        ['submission', 'Please refund order 7'],
        ['customer', 'Any news?'],
      ],
    );
    assert.equal(res.body.newest_message_id, res.body.messages[1].id);
    assert.equal(res.body.record.id, ticket.id);
  });

  test('when a moderator replies through the panel, then the reply is queued for email, the ticket is taken in progress and assigned, audited as admin', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await annAgent
      .post(conversation(ticket.id))
      .send({ kind: 'reply', body: 'We are on it.', last_seen_message_id: ticket.id })
      .expect(200);
    assert.equal(res.body.stale, undefined);
    assert.equal(res.body.message.kind, 'reply');
    assert.equal(res.body.message.author.name, 'Ann Agent');
    assert.equal(res.body.message.delivery.status, 'queued');
    assert.equal(res.body.ticket_status, 'in_progress');
    assert.equal(res.body.record.params.status, 'in_progress');
    assert.equal(res.body.messages.at(-1).id, res.body.message.id);
    assert.deepEqual(await row(ticket.id), { status: 'in_progress', assigned_to_id: ann.id });
    assert.deepEqual(await deliveries(ticket.id), [{ kind: 'ticket_reply', ticket_message_id: res.body.message.id }]);
    const stored = await t.ctx.db.pool.query('SELECT source, channel FROM ticket_messages WHERE id = $1', [res.body.message.id]);
    assert.deepEqual(stored.rows[0], { source: 'admin', channel: 'panel' });
  });

  test('when a moderator adds a note, then it joins the thread as a note and nothing is emailed or changed', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await annAgent
      .post(conversation(ticket.id))
      .send({ kind: 'note', body: 'Customer called too.', last_seen_message_id: ticket.id })
      .expect(200);
    assert.equal(res.body.message.kind, 'note');
    assert.equal(res.body.message.delivery, null);
    assert.deepEqual(await row(ticket.id), { status: 'pending', assigned_to_id: null });
    assert.deepEqual(await deliveries(ticket.id), []);
  });

  test('when a moderator replies and resolves, then the ticket is resolved with one mail: the reply', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await annAgent
      .post(conversation(ticket.id))
      .send({ kind: 'reply', body: 'Refunded.', status: 'resolved', last_seen_message_id: ticket.id })
      .expect(200);
    assert.equal(res.body.ticket_status, 'resolved');
    assert.equal(res.body.record.params.status, 'resolved');
    assert.equal((await row(ticket.id)).status, 'resolved');
    assert.deepEqual(
      (await deliveries(ticket.id)).map((d) => d.kind),
      ['ticket_reply'],
    );
  });

  test('when the customer rated the resolution, then the workspace shows the rating with its comment', async () => {
    const ticket = await createTicket(t.ctx);
    const before = await annAgent.get(conversation(ticket.id)).expect(200);
    assert.deepEqual(before.body.ratings, [], 'not rated yet');
    await annAgent
      .post(conversation(ticket.id))
      .send({ kind: 'reply', body: 'Fixed.', status: 'resolved', last_seen_message_id: ticket.id })
      .expect(200);
    await rateTicket(t.ctx, ticket.id, { score: 'bad', comment: 'Still broken on Mondays' }, {});
    const res = await annAgent.get(conversation(ticket.id)).expect(200);
    assert.equal(res.body.ratings.length, 1);
    assert.equal(res.body.ratings[0].score, 'bad');
    assert.equal(res.body.ratings[0].comment, 'Still broken on Mondays');
    assert.ok(Date.parse(res.body.ratings[0].resolved_at) > 0);
  });

  test('when a customer message arrived after the one the moderator saw, then nothing is sent and the thread comes back; sending with the new id goes through', async () => {
    const ticket = await createTicket(t.ctx);
    const customer = await customerWrites(ticket.id, 'Actually, never mind!');
    const stale = await annAgent
      .post(conversation(ticket.id))
      .send({ kind: 'reply', body: 'Refund on its way', last_seen_message_id: ticket.id })
      .expect(200);
    assert.equal(stale.body.stale, true);
    assert.equal(stale.body.error.code, 'stale_thread');
    assert.equal(stale.body.newest_message_id, customer.messageId);
    assert.equal(stale.body.messages.at(-1).body_text, 'Actually, never mind!');
    const count = async () =>
      (await t.ctx.db.pool.query("SELECT count(*)::int AS n FROM ticket_messages WHERE ticket_id = $1 AND kind = 'reply'", [ticket.id]))
        .rows[0].n;
    assert.equal(await count(), 0, 'nothing sent');
    assert.deepEqual(await deliveries(ticket.id), []);

    const confirmed = await annAgent
      .post(conversation(ticket.id))
      .send({ kind: 'reply', body: 'Refund on its way', last_seen_message_id: customer.messageId })
      .expect(200);
    assert.equal(confirmed.body.message.kind, 'reply');
    assert.equal(await count(), 1);
  });

  test('when the body is empty or the kind unknown, then the panel shows the schema messages and writes nothing', async () => {
    const ticket = await createTicket(t.ctx);
    const empty = await annAgent.post(conversation(ticket.id)).send({ kind: 'reply', body: '   ' }).expect(200);
    assert.equal(empty.body.notice.type, 'error');
    assert.ok(empty.body.record.errors.body, 'field message on body');
    const kind = await annAgent.post(conversation(ticket.id)).send({ kind: 'shout', body: 'Hi' }).expect(200);
    assert.ok(kind.body.record.errors.kind);
    const extra = await annAgent.post(conversation(ticket.id)).send({ kind: 'note', body: 'Hi', cc: 'x@y.z' }).expect(200);
    assert.ok(extra.body.record.errors.cc, 'unknown fields are refused by name');
    const n = await t.ctx.db.pool.query('SELECT count(*)::int AS n FROM ticket_messages WHERE ticket_id = $1', [ticket.id]);
    assert.equal(n.rows[0].n, 0);
  });

  test('when two moderators have a ticket open, then each sees the other viewing or typing, and not after the heartbeat stops', async () => {
    const ticket = await createTicket(t.ctx);
    const beat = async (agent: PanelAgent, state: string) =>
      (await agent.post(presence(ticket.id)).send({ state }).expect(200)).body as {
        others: Array<{ user_id: string; name: string; state: string }>;
        thread_version: string;
      };
    assert.deepEqual((await beat(annAgent, 'viewing')).others, []);
    const benSees = await beat(benAgent, 'typing');
    assert.deepEqual(
      benSees.others.map((o) => [o.name, o.state]),
      [['Ann Agent', 'viewing']],
    );
    const annSees = await beat(annAgent, 'viewing');
    assert.deepEqual(
      annSees.others.map((o) => [o.user_id, o.name, o.state]),
      [[ben.id, 'Ben Boss', 'typing']],
    );

    // Ben's tab goes quiet: past the TTL he is no longer shown to Ann.
    clock.advance(PRESENCE_TTL_MS + 1_000);
    assert.deepEqual((await beat(annAgent, 'viewing')).others, []);
    // Ben comes back, then leaves explicitly: gone at once.
    await beat(benAgent, 'viewing');
    assert.equal((await beat(annAgent, 'viewing')).others.length, 1);
    await beat(benAgent, 'left');
    assert.deepEqual((await beat(annAgent, 'viewing')).others, []);
  });

  test('when a customer message arrives, then the heartbeat reports a new thread version', async () => {
    const ticket = await createTicket(t.ctx);
    const first = await annAgent.post(presence(ticket.id)).send({ state: 'viewing' }).expect(200);
    const same = await annAgent.post(presence(ticket.id)).send({ state: 'viewing' }).expect(200);
    assert.equal(same.body.thread_version, first.body.thread_version);
    await customerWrites(ticket.id, 'Hello again');
    const moved = await annAgent.post(presence(ticket.id)).send({ state: 'viewing' }).expect(200);
    assert.notEqual(moved.body.thread_version, first.body.thread_version);
  });

  test('when the heartbeat is a GET or has a bad state, then nothing is recorded', async () => {
    const ticket = await createTicket(t.ctx);
    await annAgent.get(presence(ticket.id)).expect(200);
    const bad = await annAgent.post(presence(ticket.id)).send({ state: 'lurking' }).expect(200);
    assert.equal(bad.body.notice.type, 'error');
    const rows = await t.ctx.db.pool.query('SELECT 1 FROM ticket_presence WHERE ticket_id = $1', [ticket.id]);
    assert.equal(rows.rowCount, 0);
  });

  test('when someone without a staff session calls the workspace actions, then they are sent to the login and nothing is written', async () => {
    const ticket = await createTicket(t.ctx);
    const anonymous = await request(t.app).post(presence(ticket.id)).send({ state: 'viewing' });
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.location, '/admin/login');
    const anonReply = await request(t.app).post(conversation(ticket.id)).send({ kind: 'note', body: 'x' });
    assert.equal(anonReply.status, 302);

    // A moderator demoted to a plain user after signing in: the next call ends the session.
    const cal = await createUser(t.ctx, { role: 'moderator', name: 'Cal Former' });
    const calAgent = await panelLogin(t.app, cal);
    await t.ctx.db.pool.query("UPDATE users SET role = 'user' WHERE id = $1", [cal.id]);
    const demoted = await calAgent.post(presence(ticket.id)).send({ state: 'typing' });
    assert.equal(demoted.status, 302);
    const demotedReply = await calAgent.post(conversation(ticket.id)).send({ kind: 'note', body: 'sneaky' });
    assert.equal(demotedReply.status, 302);

    const presenceRows = await t.ctx.db.pool.query('SELECT 1 FROM ticket_presence WHERE ticket_id = $1', [ticket.id]);
    assert.equal(presenceRows.rowCount, 0);
    const messages = await t.ctx.db.pool.query('SELECT 1 FROM ticket_messages WHERE ticket_id = $1', [ticket.id]);
    assert.equal(messages.rowCount, 0);
    // And a plain user cannot sign in to the panel at all.
    const plain = await createUser(t.ctx, { role: 'user' });
    const login = await request(t.app).post('/admin/login').type('form').send({ email: plain.email, password: plain.password });
    assert.notEqual(login.status, 302);
  });
});

// The stored SLA due times follow every change that moves a clock, each in its own transaction:
// submit, priority change, a note (no effect), a public reply (first response, pause), a customer
// message (resume), resolve and reopen (stop / resume); they show in the ticket JSON, never in
// the audit history, and the list filters sla=breached|breaching_soon find them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken } from '../helpers/factories.js';
import { addCustomerMessage } from '../../src/conversation/customer-message.js';

const API = '/api/v1/contact';
const at = (s: string) => new Date(s).toISOString();

describe('SLA due times on the ticket', () => {
  const clock = new TestClock('2026-03-02T09:00:00+01:00'); // Monday 09:00 Berlin
  let t: TestApp;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  let id: string;

  before(async () => {
    t = await createTestApp({ clock });
    mod = await createUserWithToken(t.ctx, { role: 'moderator' });
  });
  after(() => t.close());

  const sla = async () => (await request(t.app).get(`${API}/${id}`).set(mod.auth).expect(200)).body;

  test('when a ticket is submitted, then its clocks start from the default policy (normal: 8 h / 3 days)', async () => {
    id = (await createTicket(t.ctx, { email: 'sla@example.com' })).id;
    const body = await sla();
    assert.equal(body.sla_first_response_due_at, at('2026-03-02T17:00:00+01:00'));
    assert.equal(body.sla_resolution_due_at, at('2026-03-04T17:00:00+01:00'));
    assert.equal(body.sla_first_response_at, null);
    assert.equal(body.sla_paused_since, null);
  });

  test('when the priority becomes urgent, then the due times are recomputed from creation (1 h / 4 h)', async () => {
    clock.set('2026-03-02T09:10:00+01:00');
    await request(t.app).patch(`${API}/${id}`).set(mod.auth).send({ priority: 'urgent' }).expect(200);
    const body = await sla();
    assert.equal(body.sla_first_response_due_at, at('2026-03-02T10:00:00+01:00'));
    assert.equal(body.sla_resolution_due_at, at('2026-03-02T13:00:00+01:00'));
  });

  test('when staff add a note, then it is not a first response', async () => {
    clock.set('2026-03-02T09:30:00+01:00');
    await request(t.app)
      .post(`${API}/${id}/messages`)
      .set(mod.auth)
      .send({ kind: 'note', body: 'looking' })
      .expect(201);
    assert.equal((await sla()).sla_first_response_at, null);
  });

  test('when staff reply publicly, then the first response is recorded and the resolution clock pauses', async () => {
    clock.set('2026-03-02T09:45:00+01:00');
    await request(t.app).post(`${API}/${id}/messages`).set(mod.auth).send({ kind: 'reply', body: 'Hi!' }).expect(201);
    const body = await sla();
    assert.equal(body.sla_first_response_at, at('2026-03-02T09:45:00+01:00'));
    assert.equal(body.sla_paused_since, at('2026-03-02T09:45:00+01:00'));
  });

  test('when the customer answers the next morning, then the clock resumes with what was left (3 h 15 min)', async () => {
    clock.set('2026-03-03T09:00:00+01:00');
    await addCustomerMessage(
      t.ctx,
      {
        ticketId: id,
        fromEmail: 'sla@example.com',
        fromName: 'Customer',
        subject: 'Re',
        bodyText: 'Still broken',
        bodyHtml: null,
        messageId: '<sla-1@example.com>',
        inboundMailId: null,
        channel: 'email',
      },
      { source: 'worker' },
    );
    const body = await sla();
    assert.equal(body.sla_paused_since, null);
    assert.equal(body.sla_resolution_due_at, at('2026-03-03T12:15:00+01:00'));
  });

  test('when it is resolved and reopened a day later, then the closed day does not count', async () => {
    clock.set('2026-03-03T10:00:00+01:00'); // 1 h 45 min used in all
    await request(t.app).post(`${API}/${id}/mark-resolved`).set(mod.auth).send({}).expect(200);
    clock.set('2026-03-04T09:00:00+01:00');
    await request(t.app).post(`${API}/${id}/reopen`).set(mod.auth).send({}).expect(200);
    assert.equal((await sla()).sla_resolution_due_at, at('2026-03-04T11:15:00+01:00'));
  });

  test('when the history is read, then no SLA column appears as a change', async () => {
    const history = await request(t.app).get(`${API}/${id}/history`).set(mod.auth).expect(200);
    const fields = history.body.entries
      .filter((e: { type: string }) => e.type === 'change')
      .flatMap((e: { changes: Array<{ field: string }> }) => e.changes.map((c) => c.field));
    assert.ok(fields.includes('priority'));
    assert.ok(!fields.some((f: string) => f.startsWith('sla_')), fields.join(','));
  });

  test('when the list is filtered by sla, then breached and breaching-soon tickets are told apart', async () => {
    // The filter compares with the database's clock: tickets submitted "now" on the real clock.
    clock.set(new Date());
    mod = await createUserWithToken(t.ctx, { role: 'moderator' }); // the March token has expired
    await request(t.app).patch(`${API}/${id}`).set(mod.auth).send({ priority: 'low' }).expect(200);
    const soon = (await createTicket(t.ctx, { subject: 'sla-soon' })).id;
    const late = (await createTicket(t.ctx, { subject: 'sla-late' })).id;
    await t.ctx.db.pool.query(
      `UPDATE contact_submissions SET sla_first_response_due_at = now() + interval '20 minutes' WHERE id = $1`,
      [soon],
    );
    await t.ctx.db.pool.query(
      `UPDATE contact_submissions SET sla_first_response_due_at = now() - interval '1 hour' WHERE id = $1`,
      [late],
    );
    const list = async (q: string) =>
      (await request(t.app).get(`${API}?sla=${q}&page_size=100`).set(mod.auth).expect(200)).body.items.map(
        (i: { id: string }) => i.id,
      );
    const breached = await list('breached');
    const breaching = await list('breaching_soon');
    assert.ok(breached.includes(late) && !breached.includes(soon));
    assert.ok(breaching.includes(soon) && !breaching.includes(late));
    // The first ticket's March due times are long past: it is breached too.
    assert.ok(breached.includes(id));
    const bad = await request(t.app).get(`${API}?sla=late`).set(mod.auth).expect(400);
    assert.match(bad.body.error.fields.sla[0], /breaching_soon, breached/);
  });
});

// Ticket priority, the proof that a field declared once in ticket.fields.ts reaches every surface:
// REST in/out, list filter and ordering, CSV, audit history, OpenAPI, stats, the panel's edit form,
// its bulk "Set priority" action and the dashboard.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUserWithToken, DEFAULT_PASSWORD } from '../helpers/factories.js';

const API = '/api/v1/contact';
const PANEL = '/admin/api/resources/tickets';

describe('ticket priority', () => {
  let t: TestApp;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  let agent: PanelAgent;

  before(async () => {
    t = await createPanelTestApp();
    mod = await createUserWithToken(t.ctx, { role: 'moderator' });
    agent = await panelLogin(t.app, { email: mod.user.email, password: DEFAULT_PASSWORD });
  });
  after(() => t.close());

  const priorityOf = async (id: string) =>
    (await t.ctx.db.pool.query('SELECT priority FROM contact_submissions WHERE id = $1', [id])).rows[0].priority;

  test('when a ticket is submitted, then its priority is normal and the moderator API shows it', async () => {
    const res = await request(t.app)
      .post(`${API}/submit`)
      .send({ name: 'Ann', email: 'ann@example.com', subject: 'Hi', message: 'Hello' })
      .expect(201);
    const got = await request(t.app).get(`${API}/${res.body.id}`).set(mod.auth).expect(200);
    assert.equal(got.body.priority, 'normal');
  });

  test('when staff PATCH a priority, then it is stored and audited with from/to; a bad value is a 400 naming the field', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await request(t.app).patch(`${API}/${ticket.id}`).set(mod.auth).send({ priority: 'urgent' }).expect(200);
    assert.equal(res.body.priority, 'urgent');
    const bad = await request(t.app).patch(`${API}/${ticket.id}`).set(mod.auth).send({ priority: 'asap' }).expect(400);
    assert.match(bad.body.error.fields.priority[0], /must be one of: low, normal, high, urgent/);
    assert.equal(await priorityOf(ticket.id), 'urgent');
    const history = await request(t.app).get(`${API}/${ticket.id}/history`).set(mod.auth).expect(200);
    const change = history.body.entries
      .filter((e: { type: string }) => e.type === 'change')
      .flatMap((e: { changes: Array<{ field: string }> }) => e.changes)
      .find((c: { field: string }) => c.field === 'priority');
    assert.deepEqual(change, { field: 'priority', from: 'normal', to: 'urgent' });
  });

  test('when the list is filtered by priority and sorted -priority, then only those come back, urgent first', async () => {
    const subject = `prio-sort-${Date.now()}`;
    const ids: Record<string, string> = {};
    for (const p of ['low', 'urgent', 'high', 'normal']) {
      const ticket = await createTicket(t.ctx, { subject });
      await request(t.app).patch(`${API}/${ticket.id}`).set(mod.auth).send({ priority: p }).expect(200);
      ids[p] = ticket.id;
    }
    const filtered = await request(t.app)
      .get(`${API}/?q=${subject}&priority=urgent&priority=high&ordering=-priority`)
      .set(mod.auth)
      .expect(200);
    assert.deepEqual(
      filtered.body.items.map((i: { priority: string }) => i.priority),
      ['urgent', 'high'],
    );
    const sorted = await request(t.app).get(`${API}/?q=${subject}&ordering=-priority`).set(mod.auth).expect(200);
    assert.deepEqual(
      sorted.body.items.map((i: { priority: string }) => i.priority),
      ['urgent', 'high', 'normal', 'low'],
    );
    await request(t.app).get(`${API}/?priority=asap`).set(mod.auth).expect(400);
  });

  test('when tickets are exported, then the CSV has a priority column with each value', async () => {
    const ticket = await createTicket(t.ctx, { subject: 'csv-prio' });
    await request(t.app).patch(`${API}/${ticket.id}`).set(mod.auth).send({ priority: 'high' }).expect(200);
    const res = await request(t.app).get(`${API}/export.csv?q=csv-prio&bom=false`).set(mod.auth).expect(200);
    const [header, row] = res.text.trim().split('\r\n');
    const col = header!.split(',').indexOf('priority');
    assert.ok(col >= 0, 'priority column present');
    assert.equal(row!.split(',')[col], 'high');
  });

  test('when the OpenAPI document is read, then priority is in the ticket, the patch body and the list parameters', async () => {
    const doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
    assert.deepEqual(doc.components.schemas.Ticket.properties.priority.enum, ['low', 'normal', 'high', 'urgent']);
    assert.ok(doc.components.schemas.TicketPatch.properties.priority);
    const params = doc.paths['/api/v1/contact/'].get.parameters.map((p: { name: string }) => p.name);
    assert.ok(params.includes('priority'));
  });

  test('when stats are read, then totals and open tickets are counted by priority', async () => {
    const before = (await request(t.app).get(`${API}/stats/overview`).set(mod.auth).expect(200)).body;
    const ticket = await createTicket(t.ctx);
    await request(t.app).patch(`${API}/${ticket.id}`).set(mod.auth).send({ priority: 'urgent' }).expect(200);
    const after = (await request(t.app).get(`${API}/stats/overview`).set(mod.auth).expect(200)).body;
    assert.equal(after.by_priority.urgent, before.by_priority.urgent + 1);
    assert.equal(after.open_by_priority.urgent, before.open_by_priority.urgent + 1);
    const sum = Object.values(after.by_priority as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(sum, after.total);
  });

  test('when a moderator edits the priority in the panel, then it is saved; a bad value is refused with the field named', async () => {
    const ticket = await createTicket(t.ctx);
    const url = `${PANEL}/records/${ticket.id}`;
    const loaded = (await agent.get(`${url}/edit`).expect(200)).body.record.params;
    const saved = await agent.post(`${url}/edit`).send({ ...loaded, priority: 'high' }).expect(200);
    assert.equal(saved.body.notice.type, 'success');
    assert.equal(await priorityOf(ticket.id), 'high');
    const fresh = (await agent.get(`${url}/edit`).expect(200)).body.record.params;
    const bad = await agent.post(`${url}/edit`).send({ ...fresh, priority: 'asap' }).expect(200);
    assert.equal(bad.body.notice.type, 'error');
    assert.ok(bad.body.record.errors.priority);
    assert.equal(await priorityOf(ticket.id), 'high');
  });

  test('when a moderator bulk-sets priority, then every selected ticket changes in one action, unchanged ones are skipped', async () => {
    const a = await createTicket(t.ctx);
    const b = await createTicket(t.ctx);
    await agent.post(`${PANEL}/bulk/bulkSetPriority?recordIds=${a.id},${b.id}`).send({ value: 'urgent' }).expect(200);
    assert.equal(await priorityOf(a.id), 'urgent');
    assert.equal(await priorityOf(b.id), 'urgent');
    const again = await agent
      .post(`${PANEL}/bulk/bulkSetPriority?recordIds=${a.id}`)
      .send({ value: 'urgent' })
      .expect(200);
    assert.match(again.body.notice.message, /0 tickets changed\. 1 skipped: .* has that value already/);
    const bad = await agent.post(`${PANEL}/bulk/bulkSetPriority?recordIds=${a.id}`).send({ value: 'asap' }).expect(200);
    assert.equal(bad.body.notice.type, 'error');
  });

  test('when the dashboard loads, then it shows open urgent and high counts', async () => {
    const res = await agent.get('/admin/api/dashboard').expect(200);
    const keys = res.body.headline.map((c: { key: string }) => c.key);
    assert.ok(keys.includes('urgent') && keys.includes('high'));
    const urgent = res.body.headline.find((c: { key: string }) => c.key === 'urgent');
    const stats = (await request(t.app).get(`${API}/stats/overview`).set(mod.auth).expect(200)).body;
    assert.equal(urgent.value, stats.open_by_priority.urgent);
  });
});


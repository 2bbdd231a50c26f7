// The panel's Audit log resource: admins only, read-only, newest first, filterable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runTicketAction } from '../../src/contact/contact.service.js';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';
import { ticketEvents } from './audit-helpers.js';

const API = '/admin/api/resources/audit-log';

type Rec = { id: string; params: Record<string, unknown>; populated?: Record<string, { title?: string } | null> };

describe('panel Audit log resource', () => {
  let t: TestApp;
  let mod: TestUser;
  let adminAgent: PanelAgent;
  let modAgent: PanelAgent;
  let ticketA: string;
  let ticketB: string;
  before(async () => {
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator', name: 'Log Mod' });
    const admin = await createUser(t.ctx, { role: 'admin' });
    adminAgent = await panelLogin(t.app, admin);
    modAgent = await panelLogin(t.app, mod);
    ticketA = (await createTicket(t.ctx)).id;
    ticketB = (await createTicket(t.ctx)).id;
    await runTicketAction(t.ctx, mod, ticketA, 'assign_to_me', {}, { source: 'api' });
    await runTicketAction(t.ctx, mod, ticketB, 'assign_to_me', {}, { source: 'cli' });
  });
  after(() => t.close());

  const list = async (query: string) =>
    (await adminAgent.get(`${API}/actions/list?${query}`).expect(200)).body as {
      records: Rec[];
      meta: { total: number };
    };

  test('when an admin lists the audit log, then events come newest first with string ids and actor names', async () => {
    const body = await list('');
    const ids = body.records.map((r) => Number(r.id));
    assert.ok(ids.length >= 4);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    assert.equal(typeof body.records[0]!.params.eventId, 'string');
    const newest = body.records[0]!;
    assert.equal(newest.params.ticketId, ticketB);
    assert.equal(newest.params.source, 'cli');
    assert.equal(newest.params.actorId, mod.id);
    assert.equal(newest.populated?.actorId?.title, mod.email);
  });

  test('when an admin filters by actor, source, ticket and time, then only matching events come back', async () => {
    const byActor = await list(`filters.actorId=${mod.id}`);
    assert.deepEqual(byActor.records.map((r) => r.params.ticketId).sort(), [ticketA, ticketB].sort());
    const bySource = await list(`filters.actorId=${mod.id}&filters.source=api`);
    assert.deepEqual(
      bySource.records.map((r) => r.params.ticketId),
      [ticketA],
    );
    const byTicket = await list(`filters.ticketId=${ticketA}`);
    assert.deepEqual(
      byTicket.records.map((r) => r.params.operation),
      ['update', 'insert'],
    );
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await list(`filters.eventAt~~from=${encodeURIComponent(future)}`);
    assert.equal(none.meta.total, 0);
    const past = new Date(Date.now() - 3_600_000).toISOString();
    const all = await list(`filters.ticketId=${ticketA}&filters.eventAt~~from=${encodeURIComponent(past)}`);
    assert.equal(all.meta.total, 2);
    const malformed = await list('filters.actorId=not-a-uuid');
    assert.equal(malformed.meta.total, 0);
  });

  test('when an admin opens one event, then show returns its full snapshot', async () => {
    const [, update] = await ticketEvents(t.ctx, ticketA);
    const res = await adminAgent.get(`${API}/records/${update!.event_id}/show`).expect(200);
    assert.equal(res.body.record.id, update!.event_id);
    assert.equal(res.body.record.params.status, 'in_progress');
    assert.equal(res.body.record.params['changedFields.0'], 'status');
    assert.equal(res.body.record.params['changedFields.1'], 'assigned_to_id');
  });

  test('when anyone tries to create, edit or delete an event through the panel, then it is refused and nothing changes', async () => {
    const [insert] = await ticketEvents(t.ctx, ticketA);
    const id = insert!.event_id;
    for (const url of [
      `${API}/actions/new`,
      `${API}/records/${id}/edit`,
      `${API}/records/${id}/delete`,
      `${API}/bulk/bulkDelete?recordIds=${id}`,
    ]) {
      // AdminJS answers a refused action with 200 and a ForbiddenError in the body.
      const res = await adminAgent.post(url).send({ source: 'admin' }).expect(200);
      assert.equal(res.body.record?.baseError?.type, 'ForbiddenError', `${url} must be refused`);
    }
    const [after] = await ticketEvents(t.ctx, ticketA);
    assert.deepEqual(after, insert);
  });

  test('when a moderator opens the audit log, then it is refused', async () => {
    const res = await modAgent.get(`${API}/actions/list`).expect(200);
    assert.equal(res.body.record?.baseError?.type, 'ForbiddenError');
    assert.deepEqual(res.body.records, []);
  });
});

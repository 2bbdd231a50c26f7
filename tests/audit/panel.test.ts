// Writes made through the AdminJS panel (real login, the panel's HTTP API): each one leaves the
// exact event with source 'admin' and the signed-in user as actor. Plus the History action.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';
import { ticketEvents } from './audit-helpers.js';

const API = '/admin/api/resources/tickets';
const recordUrl = (id: string, action: string) => `${API}/records/${id}/${action}`;
const bulkUrl = (action: string, ids: string[]) => `${API}/bulk/${action}?recordIds=${ids.join(',')}`;

describe('audit: panel writes', () => {
  let t: TestApp;
  let mod: TestUser;
  let admin: TestUser;
  let modAgent: PanelAgent;
  let adminAgent: PanelAgent;
  before(async () => {
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator', name: 'Panel Mod' });
    admin = await createUser(t.ctx, { role: 'admin', name: 'Panel Admin' });
    modAgent = await panelLogin(t.app, mod);
    adminAgent = await panelLogin(t.app, admin);
  });
  after(() => t.close());

  const latest = async (ticketId: string) => (await ticketEvents(t.ctx, ticketId)).at(-1)!;

  test('when a moderator saves the edit form, then one update event with source admin lists the edited fields', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await modAgent
      .post(recordUrl(ticket.id, 'edit'))
      .set('X-Request-Id', 'req-panel-edit')
      .send({ category: 'bug', adminNotes: 'Called back', assignedToId: mod.id })
      .expect(200);
    assert.notEqual(res.body.notice?.type, 'error', JSON.stringify(res.body.notice));

    const events = await ticketEvents(t.ctx, ticket.id);
    assert.equal(events.length, 2);
    const event = events[1]!;
    assert.equal(event.operation, 'update');
    assert.equal(event.source, 'admin');
    assert.equal(event.actor_id, mod.id);
    assert.equal(event.request_id, 'req-panel-edit');
    assert.deepEqual(event.changed_fields, ['category', 'assigned_to_id', 'admin_notes']);
    assert.equal(event.category, 'bug');
    assert.equal(event.assigned_to_id, mod.id);
    assert.equal(event.admin_notes, 'Called back');
  });

  test('when a moderator runs the Resolve action, then the event shows the resolution with source admin', async () => {
    const ticket = await createTicket(t.ctx);
    await modAgent
      .post(recordUrl(ticket.id, 'resolve'))
      .set('X-Request-Id', 'req-panel-resolve')
      .send({ resolutionNotes: 'Refund sent' })
      .expect(200);

    const event = await latest(ticket.id);
    assert.equal(event.operation, 'update');
    assert.equal(event.source, 'admin');
    assert.equal(event.actor_id, mod.id);
    assert.equal(event.request_id, 'req-panel-resolve');
    assert.deepEqual(event.changed_fields, ['status', 'resolved_by_id', 'resolved_at', 'resolution_notes']);
    assert.equal(event.status, 'resolved');
    assert.equal(event.resolved_by_id, mod.id);
    assert.equal(event.resolution_notes, 'Refund sent');
  });

  test('when a moderator runs a bulk action on two tickets, then each gets one event from the same request', async () => {
    const a = await createTicket(t.ctx);
    const b = await createTicket(t.ctx);
    await modAgent
      .post(bulkUrl('bulkAssignToMe', [a.id, b.id]))
      .set('X-Request-Id', 'req-panel-bulk')
      .send({})
      .expect(200);

    for (const ticket of [a, b]) {
      const events = await ticketEvents(t.ctx, ticket.id);
      assert.equal(events.length, 2);
      const event = events[1]!;
      assert.equal(event.operation, 'update');
      assert.equal(event.source, 'admin');
      assert.equal(event.actor_id, mod.id);
      assert.equal(event.request_id, 'req-panel-bulk');
      assert.deepEqual(event.changed_fields, ['status', 'assigned_to_id']);
      assert.equal(event.status, 'in_progress');
    }
  });

  test('when an admin deletes a ticket in the panel, then the delete event names the admin with source admin', async () => {
    const ticket = await createTicket(t.ctx, { subject: 'Panel delete' });
    await adminAgent.post(recordUrl(ticket.id, 'delete')).set('X-Request-Id', 'req-panel-delete').send({}).expect(200);
    const event = await latest(ticket.id);
    assert.equal(event.operation, 'delete');
    assert.equal(event.source, 'admin');
    assert.equal(event.actor_id, admin.id);
    assert.equal(event.request_id, 'req-panel-delete');
    assert.equal(event.subject, 'Panel delete');
  });

  test('when a moderator opens the History action, then it returns the same timeline as the API', async () => {
    const ticket = await createTicket(t.ctx);
    await modAgent.post(recordUrl(ticket.id, 'assignToMe')).send({}).expect(200);
    const res = await modAgent.get(recordUrl(ticket.id, 'history')).expect(200);
    const changes = res.body.history.entries.filter((e: { type: string }) => e.type === 'change');
    assert.deepEqual(
      changes.map((e: { operation: string; source: string }) => `${e.operation}:${e.source}`),
      ['update:admin', 'insert:api'],
    );
    assert.deepEqual(changes[0].actor, { id: mod.id, name: 'Panel Mod', email: mod.email });
    assert.deepEqual(changes[0].changes, [
      { field: 'status', from: 'pending', to: 'in_progress' },
      { field: 'assigned_to_id', from: null, to: mod.id },
    ]);
  });
});

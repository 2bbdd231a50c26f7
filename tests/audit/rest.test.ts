// One test per REST path that changes a ticket: each asserts the exact event the trigger stored
// (operation, actor, source, request id, changed fields) and the from/to the history API shows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';
import { ticketEvents } from './audit-helpers.js';

const NOW = '2026-03-04T05:06:07.890Z';

describe('audit: REST moderator endpoints', () => {
  let t: TestApp;
  let moderator: TestUser;
  let modAuth: Record<string, string>;
  let other: TestUser;
  let admin: TestUser;
  let adminAuth: Record<string, string>;
  before(async () => {
    t = await createTestApp({ clock: new TestClock(NOW) });
    ({ user: moderator, auth: modAuth } = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Mod One' }));
    ({ user: other } = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Mod Two' }));
    ({ user: admin, auth: adminAuth } = await createUserWithToken(t.ctx, { role: 'admin', name: 'Admin' }));
  });
  after(() => t.close());

  /** The newest change entry of the ticket's history, read through the API. */
  async function latestChange(ticketId: string) {
    const res = await request(t.app).get(`/api/v1/contact/${ticketId}/history`).set(modAuth).expect(200);
    return res.body.entries.find((e: { type: string }) => e.type === 'change');
  }

  async function assertLatestEvent(
    ticketId: string,
    expected: {
      operation: string;
      actor: TestUser;
      requestId: string;
      changes: { field: string; from: unknown; to: unknown }[];
    },
  ) {
    const stored = (await ticketEvents(t.ctx, ticketId)).at(-1)!;
    assert.equal(stored.operation, expected.operation);
    assert.equal(stored.source, 'api');
    assert.equal(stored.actor_id, expected.actor.id);
    assert.equal(stored.request_id, expected.requestId);
    assert.deepEqual(
      stored.changed_fields,
      expected.changes.map((c) => c.field),
    );
    const entry = await latestChange(ticketId);
    assert.equal(entry.id, stored.event_id);
    assert.deepEqual(entry.actor, { id: expected.actor.id, name: expected.actor.name, email: expected.actor.email });
    assert.equal(entry.source, 'api');
    assert.equal(entry.request_id, expected.requestId);
    assert.deepEqual(entry.changes, expected.changes);
  }

  test('when a moderator PATCHes a ticket, then one update event lists exactly the changed fields', async () => {
    const ticket = await createTicket(t.ctx);
    await request(t.app)
      .patch(`/api/v1/contact/${ticket.id}`)
      .set(modAuth)
      .set('X-Request-Id', 'req-patch')
      .send({ status: 'in_progress', category: 'bug', admin_notes: 'triaged', assigned_to_id: other.id })
      .expect(200);
    await assertLatestEvent(ticket.id, {
      operation: 'update',
      actor: moderator,
      requestId: 'req-patch',
      changes: [
        { field: 'category', from: 'general', to: 'bug' },
        { field: 'status', from: 'pending', to: 'in_progress' },
        { field: 'assigned_to_id', from: null, to: other.id },
        { field: 'admin_notes', from: '', to: 'triaged' },
      ],
    });
  });

  test('when a PATCH changes nothing, then no event is recorded', async () => {
    const ticket = await createTicket(t.ctx, { category: 'bug' });
    await request(t.app).patch(`/api/v1/contact/${ticket.id}`).set(modAuth).send({ category: 'bug' }).expect(200);
    assert.deepEqual(
      (await ticketEvents(t.ctx, ticket.id)).map((e) => e.operation),
      ['insert'],
    );
  });

  test('when a moderator assigns a ticket to themself, then the event shows status and assignee changes', async () => {
    const ticket = await createTicket(t.ctx);
    await request(t.app)
      .post(`/api/v1/contact/${ticket.id}/assign-to-me`)
      .set(modAuth)
      .set('X-Request-Id', 'req-assign')
      .expect(200);
    await assertLatestEvent(ticket.id, {
      operation: 'update',
      actor: moderator,
      requestId: 'req-assign',
      changes: [
        { field: 'status', from: 'pending', to: 'in_progress' },
        { field: 'assigned_to_id', from: null, to: moderator.id },
      ],
    });
  });

  test('when a moderator resolves a ticket, then the event shows status, resolver, time and notes', async () => {
    const ticket = await createTicket(t.ctx);
    await request(t.app)
      .post(`/api/v1/contact/${ticket.id}/mark-resolved`)
      .set(modAuth)
      .set('X-Request-Id', 'req-resolve')
      .send({ resolution_notes: 'Answered by mail' })
      .expect(200);
    await assertLatestEvent(ticket.id, {
      operation: 'update',
      actor: moderator,
      requestId: 'req-resolve',
      changes: [
        { field: 'status', from: 'pending', to: 'resolved' },
        { field: 'resolved_by_id', from: null, to: moderator.id },
        { field: 'resolved_at', from: null, to: NOW },
        { field: 'resolution_notes', from: '', to: 'Answered by mail' },
      ],
    });
  });

  test('when a moderator archives and then restores a ticket, then each step is one status event', async () => {
    const ticket = await createTicket(t.ctx);
    await request(t.app).post(`/api/v1/contact/${ticket.id}/mark-resolved`).set(modAuth).send({}).expect(200);
    await request(t.app)
      .post(`/api/v1/contact/${ticket.id}/archive`)
      .set(modAuth)
      .set('X-Request-Id', 'req-archive')
      .expect(200);
    await assertLatestEvent(ticket.id, {
      operation: 'update',
      actor: moderator,
      requestId: 'req-archive',
      changes: [{ field: 'status', from: 'resolved', to: 'archived' }],
    });
    await request(t.app)
      .post(`/api/v1/contact/${ticket.id}/restore`)
      .set(modAuth)
      .set('X-Request-Id', 'req-restore')
      .expect(200);
    await assertLatestEvent(ticket.id, {
      operation: 'update',
      actor: moderator,
      requestId: 'req-restore',
      changes: [{ field: 'status', from: 'archived', to: 'resolved' }],
    });
  });

  test('when an admin deletes a ticket, then a delete event keeps every value as "from"', async () => {
    const ticket = await createTicket(t.ctx, { subject: 'To be deleted' });
    await request(t.app).post(`/api/v1/contact/${ticket.id}/assign-to-me`).set(modAuth).expect(200);
    await request(t.app)
      .delete(`/api/v1/contact/${ticket.id}`)
      .set(adminAuth)
      .set('X-Request-Id', 'req-delete')
      .expect(204);

    const stored = (await ticketEvents(t.ctx, ticket.id)).at(-1)!;
    assert.equal(stored.operation, 'delete');
    assert.equal(stored.actor_id, admin.id);
    assert.equal(stored.source, 'api');
    assert.equal(stored.request_id, 'req-delete');
    assert.deepEqual(stored.changed_fields, [
      'id',
      'ticket_number',
      'name',
      'email',
      'subject',
      'message',
      'category',
      'status',
      'assigned_to_id',
      'created_at',
      'admin_notes',
      'resolution_notes',
      'ip_address',
      'user_agent',
      'priority',
      'channel',
      'language',
    ]);
    const entry = await latestChange(ticket.id);
    assert.equal(entry.operation, 'delete');
    assert.deepEqual(entry.actor, { id: admin.id, name: 'Admin', email: admin.email });
    const byField = Object.fromEntries(entry.changes.map((c: { field: string }) => [c.field, c]));
    assert.deepEqual(byField.subject, { field: 'subject', from: 'To be deleted', to: null });
    assert.deepEqual(byField.status, { field: 'status', from: 'in_progress', to: null });
    assert.deepEqual(byField.assigned_to_id, { field: 'assigned_to_id', from: moderator.id, to: null });
    assert.deepEqual(byField.ticket_number, { field: 'ticket_number', from: ticket.ticketNumber, to: null });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { deleteTicket, runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';

type Entry = { type: string; operation?: string; kind?: string; status?: string; changes?: unknown[]; actor?: unknown };

describe('GET /api/v1/contact/:id/history', () => {
  let t: TestApp;
  let admin: TestUser;
  let moderator: TestUser;
  let moderatorAuth: Record<string, string>;
  before(async () => {
    t = await createTestApp();
    ({ user: admin } = await createUserWithToken(t.ctx, { role: 'admin', name: 'Ada Admin' }));
    ({ user: moderator, auth: moderatorAuth } = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Mo' }));
  });
  after(() => t.close());

  test('when the id is not a UUID, then 400 with a field error', async () => {
    const res = await request(t.app).get('/api/v1/contact/not-a-uuid/history').set(moderatorAuth).expect(400);
    assert.equal(res.body.error.code, 'validation_error');
    assert.deepEqual(res.body.error.fields, { id: ['must be a UUID'] });
  });

  test('when no ticket and no event has that id, then 404', async () => {
    const res = await request(t.app)
      .get('/api/v1/contact/8e3c1a52-5d0e-4d7e-9b1f-2f6a3c4d5e6f/history')
      .set(moderatorAuth)
      .expect(404);
    assert.equal(res.body.error.code, 'not_found');
  });

  test('when the caller is anonymous or a plain user, then 401 and 403', async () => {
    const ticket = await createTicket(t.ctx);
    await request(t.app).get(`/api/v1/contact/${ticket.id}/history`).expect(401);
    const { auth } = await createUserWithToken(t.ctx, { role: 'user' });
    const res = await request(t.app).get(`/api/v1/contact/${ticket.id}/history`).set(auth).expect(403);
    assert.equal(res.body.error.code, 'forbidden');
  });

  test('when a ticket was submitted, assigned and resolved, then changes and queued emails come newest first', async () => {
    const ticket = await createTicket(t.ctx, { email: 'cust@example.com' });
    await runTicketAction(t.ctx, moderator, ticket.id, 'assign_to_me', {}, { source: 'api', requestId: 'r-assign' });
    await runTicketAction(t.ctx, moderator, ticket.id, 'resolve', { resolutionNotes: 'Done' }, { source: 'api' });

    const res = await request(t.app).get(`/api/v1/contact/${ticket.id}/history`).set(moderatorAuth).expect(200);
    assert.equal(res.body.ticket_id, ticket.id);
    assert.equal(res.body.ticket_number, ticket.ticketNumber);
    assert.equal(res.body.deleted, false);
    const summary = res.body.entries.map((e: Entry) =>
      e.type === 'change' ? `change:${e.operation}` : `email:${e.kind}:${e.status}`,
    );
    assert.deepEqual(summary, [
      'email:contact_resolved:queued',
      'change:update',
      'change:update',
      'email:contact_confirmation:queued',
      'email:contact_admin_notification:queued',
      'change:insert',
    ]);
    const [, resolve, assign] = res.body.entries;
    assert.deepEqual(assign.actor, { id: moderator.id, name: 'Mo', email: moderator.email });
    assert.equal(assign.request_id, 'r-assign');
    assert.deepEqual(assign.changes, [
      { field: 'status', from: 'pending', to: 'in_progress' },
      { field: 'assigned_to_id', from: null, to: moderator.id },
    ]);
    assert.deepEqual(
      resolve.changes.map((c: { field: string }) => c.field),
      ['status', 'resolved_by_id', 'resolved_at', 'resolution_notes'],
    );
    assert.deepEqual(resolve.changes[0], { field: 'status', from: 'in_progress', to: 'resolved' });
    assert.deepEqual(resolve.changes[3], { field: 'resolution_notes', from: '', to: 'Done' });
    assert.deepEqual(res.body.users[moderator.id], { name: 'Mo', email: moderator.email });
    const resolvedMail = res.body.entries[0];
    assert.equal(resolvedMail.recipient, 'cust@example.com');
    assert.equal(resolvedMail.attempts, 0);
    assert.equal(resolvedMail.error, null);
  });

  test('when a ticket is deleted, then its history is still readable with the delete event and its emails', async () => {
    const ticket = await createTicket(t.ctx, { subject: 'Soon gone' });
    await updateTicket(t.ctx, moderator, ticket.id, { admin_notes: 'spam?' }, { source: 'api' });
    await deleteTicket(t.ctx, admin, ticket.id, { source: 'api', requestId: 'r-delete' });

    const res = await request(t.app).get(`/api/v1/contact/${ticket.id}/history`).set(moderatorAuth).expect(200);
    assert.equal(res.body.deleted, true);
    assert.equal(res.body.ticket_number, ticket.ticketNumber);
    const [del] = res.body.entries;
    assert.equal(del.operation, 'delete');
    assert.deepEqual(del.actor, { id: admin.id, name: 'Ada Admin', email: admin.email });
    assert.equal(del.request_id, 'r-delete');
    const byField = Object.fromEntries(del.changes.map((c: { field: string }) => [c.field, c]));
    assert.deepEqual(byField.subject, { field: 'subject', from: 'Soon gone', to: null });
    assert.deepEqual(byField.admin_notes, { field: 'admin_notes', from: 'spam?', to: null });
    const emails = res.body.entries.filter((e: Entry) => e.type === 'email').map((e: Entry) => e.kind);
    assert.deepEqual(emails.sort(), ['contact_admin_notification', 'contact_confirmation']);
  });

  test('when a ticket has more than nine events, then they are ordered by event number, not as text', async () => {
    const ticket = await createTicket(t.ctx);
    for (let i = 1; i <= 11; i++) {
      await updateTicket(t.ctx, moderator, ticket.id, { admin_notes: `note ${i}` }, { source: 'api' });
    }
    const res = await request(t.app).get(`/api/v1/contact/${ticket.id}/history`).set(moderatorAuth).expect(200);
    const changes = res.body.entries.filter((e: Entry) => e.type === 'change');
    const ids = changes.map((e: { id: string }) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    assert.deepEqual(changes[0].changes, [{ field: 'admin_notes', from: 'note 10', to: 'note 11' }]);
    assert.deepEqual(changes[10].changes, [{ field: 'admin_notes', from: '', to: 'note 1' }]);
  });

  test("when the acting moderator's account is deleted, then the history still names them", async () => {
    const { user: gone } = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Gone Moderator' });
    const ticket = await createTicket(t.ctx);
    await runTicketAction(t.ctx, gone, ticket.id, 'assign_to_me', {}, { source: 'api' });
    await t.ctx.db.pool.query('DELETE FROM users WHERE id = $1', [gone.id]);

    const res = await request(t.app).get(`/api/v1/contact/${ticket.id}/history`).set(moderatorAuth).expect(200);
    const changes = res.body.entries.filter((e: Entry) => e.type === 'change');
    // Deleting the user unassigned the ticket (ON DELETE SET NULL): a change made from psql.
    assert.equal(changes[0].source, 'sql');
    assert.deepEqual(changes[0].changes, [{ field: 'assigned_to_id', from: gone.id, to: null }]);
    assert.deepEqual(changes[1].actor, { id: gone.id, name: 'Gone Moderator', email: gone.email });
  });
});

describe('GET /api/v1/audit/events', () => {
  let t: TestApp;
  let adminAuth: Record<string, string>;
  let moderator: TestUser;
  let moderatorAuth: Record<string, string>;
  before(async () => {
    t = await createTestApp();
    ({ auth: adminAuth } = await createUserWithToken(t.ctx, { role: 'admin' }));
    ({ user: moderator, auth: moderatorAuth } = await createUserWithToken(t.ctx, { role: 'moderator' }));
  });
  after(() => t.close());

  test('when a moderator asks, then 403', async () => {
    await request(t.app).get('/api/v1/audit/events').set(moderatorAuth).expect(403);
  });

  test('when an admin filters by actor and source and pages, then only those events come, newest first', async () => {
    const tickets = [await createTicket(t.ctx), await createTicket(t.ctx), await createTicket(t.ctx)];
    for (const ticket of tickets) {
      await runTicketAction(t.ctx, moderator, ticket.id, 'assign_to_me', {}, { source: 'api' });
    }
    const first = await request(t.app)
      .get('/api/v1/audit/events')
      .query({ actor_id: moderator.id, source: 'api', limit: 2 })
      .set(adminAuth)
      .expect(200);
    assert.deepEqual(
      first.body.events.map((e: { entity_id: string }) => e.entity_id),
      [tickets[2]!.id, tickets[1]!.id],
    );
    assert.equal(first.body.events[0].operation, 'update');
    assert.deepEqual(first.body.events[0].changed_fields, ['status', 'assigned_to_id']);
    assert.equal(first.body.events[0].actor.id, moderator.id);
    assert.ok(first.body.next_before);
    const second = await request(t.app)
      .get('/api/v1/audit/events')
      .query({ actor_id: moderator.id, source: 'api', limit: 2, before: first.body.next_before })
      .set(adminAuth)
      .expect(200);
    assert.deepEqual(
      second.body.events.map((e: { entity_id: string }) => e.entity_id),
      [tickets[0]!.id],
    );
    assert.equal(second.body.next_before, null);
  });

  test('when an admin filters by ticket and date range, then only that ticket in that window comes back', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await request(t.app)
      .get('/api/v1/audit/events')
      .query({
        entity_id: ticket.id,
        from: new Date(Date.now() - 60_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
      })
      .set(adminAuth)
      .expect(200);
    assert.equal(res.body.events.length, 1);
    assert.equal(res.body.events[0].label, ticket.ticketNumber);
    const none = await request(t.app)
      .get('/api/v1/audit/events')
      .query({ entity_id: ticket.id, to: new Date(Date.now() - 60_000).toISOString() })
      .set(adminAuth)
      .expect(200);
    assert.deepEqual(none.body.events, []);
  });

  test('when an admin lists user events, then the account creation appears with the password flagged but no password data', async () => {
    const res = await request(t.app)
      .get('/api/v1/audit/events')
      .query({ entity: 'user', entity_id: moderator.id })
      .set(adminAuth)
      .expect(200);
    assert.equal(res.body.events.length, 1);
    assert.equal(res.body.events[0].label, moderator.email);
    assert.ok(res.body.events[0].changed_fields.includes('password'));
    assert.doesNotMatch(JSON.stringify(res.body), /argon2/);
  });

  test('when a filter is invalid, then 400 names it', async () => {
    const res = await request(t.app)
      .get('/api/v1/audit/events')
      .query({ source: 'ftp', nope: 1 })
      .set(adminAuth)
      .expect(400);
    assert.ok(res.body.error.fields.source);
    assert.ok(res.body.error.fields._ || res.body.error.fields.nope);
  });

  test('when ticket_number holds a NUL or before is beyond bigint, then 400 names the filter (not 500)', async () => {
    const nul = await request(t.app).get('/api/v1/audit/events?ticket_number=%00').set(adminAuth).expect(400);
    assert.equal(nul.body.error.code, 'validation_error');
    assert.deepEqual(nul.body.error.fields.ticket_number, ['must not contain control characters']);
    const huge = await request(t.app)
      .get('/api/v1/audit/events?before=99999999999999999999999')
      .set(adminAuth)
      .expect(400);
    assert.deepEqual(huge.body.error.fields.before, ['must be an event id']);
    // The largest bigint is still a valid (if empty) page boundary.
    await request(t.app).get('/api/v1/audit/events?before=9223372036854775807').set(adminAuth).expect(200);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUserWithToken } from '../helpers/factories.js';
import { SUBMITTED_FIELDS, ticketEvents } from './audit-helpers.js';

const form = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Broken link', message: 'The link is broken' };

describe('audit: public submit', () => {
  let t: TestApp;
  let moderatorAuth: Record<string, string>;
  before(async () => {
    t = await createTestApp();
    ({ auth: moderatorAuth } = await createUserWithToken(t.ctx, { role: 'moderator' }));
  });
  after(() => t.close());

  test('when an anonymous visitor submits, then one insert event has source api, no actor and the request id', async () => {
    const res = await request(t.app)
      .post('/api/v1/contact/submit')
      .set('X-Request-Id', 'req-anon-submit')
      .set('User-Agent', 'audit-test')
      .send(form)
      .expect(201);

    const events = await ticketEvents(t.ctx, res.body.id);
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event!.operation, 'insert');
    assert.equal(event!.source, 'api');
    assert.equal(event!.actor_id, null);
    assert.equal(event!.request_id, 'req-anon-submit');
    assert.deepEqual(event!.changed_fields, SUBMITTED_FIELDS);
    assert.equal(event!.ticket_number, res.body.ticket_number);
    assert.equal(event!.name, 'Ann Lee');
    assert.equal(event!.status, 'pending');
    assert.equal(event!.user_agent, 'audit-test');
  });

  test('when the submit is read back through the history API, then every field goes from null to its value', async () => {
    const res = await request(t.app)
      .post('/api/v1/contact/submit')
      .set('User-Agent', 'audit-test')
      .send(form)
      .expect(201);
    const history = await request(t.app).get(`/api/v1/contact/${res.body.id}/history`).set(moderatorAuth).expect(200);

    const changes = history.body.entries.filter((e: { type: string }) => e.type === 'change');
    assert.equal(changes.length, 1);
    const insert = changes[0];
    assert.equal(insert.operation, 'insert');
    assert.equal(insert.source, 'api');
    assert.equal(insert.actor, null);
    assert.deepEqual(
      insert.changes.map((c: { field: string }) => c.field),
      SUBMITTED_FIELDS,
    );
    const byField = Object.fromEntries(insert.changes.map((c: { field: string }) => [c.field, c]));
    assert.deepEqual(byField.subject, { field: 'subject', from: null, to: 'Broken link' });
    assert.deepEqual(byField.status, { field: 'status', from: null, to: 'pending' });
    assert.deepEqual(byField.id, { field: 'id', from: null, to: res.body.id });
    assert.deepEqual(byField.created_at, { field: 'created_at', from: null, to: res.body.created_at });
  });

  test('when a signed-in user submits with a Bearer token, then the event names that user as actor', async () => {
    const { user, auth } = await createUserWithToken(t.ctx, { role: 'user', name: 'Signed In' });
    const res = await request(t.app)
      .post('/api/v1/contact/submit')
      .set(auth)
      .set('User-Agent', 'audit-test')
      .send(form)
      .expect(201);

    const [event, ...rest] = await ticketEvents(t.ctx, res.body.id);
    assert.equal(rest.length, 0);
    assert.equal(event!.operation, 'insert');
    assert.equal(event!.source, 'api');
    assert.equal(event!.actor_id, user.id);
    assert.deepEqual(event!.changed_fields, [...SUBMITTED_FIELDS.slice(0, 8), 'user_id', ...SUBMITTED_FIELDS.slice(8)]);
    assert.equal(event!.user_id, user.id);

    const history = await request(t.app).get(`/api/v1/contact/${res.body.id}/history`).set(moderatorAuth).expect(200);
    const insert = history.body.entries.find((e: { type: string }) => e.type === 'change');
    assert.deepEqual(insert.actor, { id: user.id, name: 'Signed In', email: user.email });
    assert.deepEqual(history.body.users[user.id], { name: 'Signed In', email: user.email });
  });
});

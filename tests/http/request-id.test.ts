import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when the client sends a safe request id, then the response echoes it', async () => {
    const res = await request(t.app).get('/healthz').set('X-Request-Id', 'lb-7f3a.42:edge_1').expect(200);
    assert.equal(res.headers['x-request-id'], 'lb-7f3a.42:edge_1');
  });

  test('when the client sends none, then a fresh UUID is generated per request', async () => {
    const a = await request(t.app).get('/healthz').expect(200);
    const b = await request(t.app).get('/healthz').expect(200);
    assert.match(String(a.headers['x-request-id']), UUID);
    assert.match(String(b.headers['x-request-id']), UUID);
    assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
  });

  test('when the incoming id is unsafe (spaces, markup, too long), then it is replaced by a UUID', async () => {
    for (const unsafe of ['has space', '<script>', 'x'.repeat(101), 'semi;colon', 'é']) {
      const res = await request(t.app).get('/healthz').set('X-Request-Id', unsafe).expect(200);
      assert.match(String(res.headers['x-request-id']), UUID, unsafe);
    }
  });

  test('when a request fails (404, 400), then the id is still on the response', async () => {
    const notFound = await request(t.app).get('/no-such-page').set('X-Request-Id', 'trace-404').expect(404);
    assert.equal(notFound.headers['x-request-id'], 'trace-404');
    assert.equal(notFound.body.error.code, 'not_found');
    const invalid = await request(t.app)
      .post('/api/v1/contact/submit')
      .set('X-Request-Id', 'trace-400')
      .send({ name: '' })
      .expect(400);
    assert.equal(invalid.headers['x-request-id'], 'trace-400');
  });

  test('when a ticket is submitted, then its audit record carries the request id', async () => {
    const res = await request(t.app)
      .post('/api/v1/contact/submit')
      .set('X-Request-Id', 'trace-submit-1')
      .send({ name: 'Ann', email: 'ann@example.com', subject: 'Hi', message: 'Hello' })
      .expect(201);
    const { rows } = await t.ctx.db.pool.query(
      `SELECT request_id, source FROM contact_submission_events WHERE ticket_id = $1 AND operation = 'insert'`,
      [res.body.id],
    );
    assert.deepEqual(rows, [{ request_id: 'trace-submit-1', source: 'api' }]);
  });
});

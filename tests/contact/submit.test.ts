import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';

const valid = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Hello', message: 'Something broke' };

describe('POST /api/v1/contact/submit', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when an anonymous visitor submits valid JSON, then a pending ticket is returned with exactly the public fields', async () => {
    const res = await request(t.app).post('/api/v1/contact/submit').send(valid).expect(201);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'category',
      'created_at',
      'email',
      'id',
      'message',
      'name',
      'status',
      'subject',
      'ticket_number',
      'updated_at',
    ]);
    assert.match(res.body.ticket_number, /^CONT-\d{8}-\d{4}$/);
    assert.equal(res.body.status, 'pending');
    assert.equal(res.body.category, 'general');
    const { rows } = await t.ctx.db.pool.query('SELECT name, user_id FROM contact_submissions WHERE id = $1', [
      res.body.id,
    ]);
    assert.equal(rows[0].name, 'Ann Lee');
    assert.equal(rows[0].user_id, null);
  });
});

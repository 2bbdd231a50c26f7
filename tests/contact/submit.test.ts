import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createUserWithToken } from '../helpers/factories.js';

const valid = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Hello', message: 'Something broke' };

describe('POST /api/v1/contact/submit', () => {
  let t: TestApp;
  const clock = new TestClock('2026-04-02T14:03:04.567Z');
  before(async () => {
    t = await createTestApp({ clock });
  });
  after(() => t.close());

  test('when an anonymous visitor submits valid JSON, then a pending ticket is returned with exactly the public fields', async () => {
    const res = await request(t.app)
      .post('/api/v1/contact/submit')
      .set('User-Agent', 'test-browser/1.0')
      .send(valid)
      .expect(201);
    assert.match(String(res.headers['content-type']), /application\/json/);
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
    assert.match(res.body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(
      { ...res.body, id: undefined },
      {
        ...valid,
        id: undefined,
        ticket_number: 'CONT-20260402-0001',
        category: 'general',
        status: 'pending',
        created_at: '2026-04-02T14:03:04.567Z',
        updated_at: '2026-04-02T14:03:04.567Z',
      },
    );

    const { rows } = await t.ctx.db.pool.query(
      `SELECT name, email, subject, message, user_id, status, admin_notes, resolution_notes,
         host(ip_address) AS ip, user_agent FROM contact_submissions WHERE id = $1`,
      [res.body.id],
    );
    assert.deepEqual(rows[0], {
      ...valid,
      user_id: null,
      status: 'pending',
      admin_notes: '',
      resolution_notes: '',
      ip: rows[0].ip,
      user_agent: 'test-browser/1.0',
    });
    assert.match(rows[0].ip, /127\.0\.0\.1|::1/, 'the client address is kept for abuse handling');
  });

  test('when a ticket is created, then a confirmation email to the submitter is queued in the same transaction', async () => {
    const res = await request(t.app).post('/api/v1/contact/submit').send(valid).expect(201);
    const { rows } = await t.ctx.db.pool.query(
      `SELECT kind, recipient, status FROM email_deliveries WHERE ticket_id = $1 AND kind = 'contact_confirmation'`,
      [res.body.id],
    );
    assert.deepEqual(rows, [{ kind: 'contact_confirmation', recipient: 'ann@example.com', status: 'queued' }]);
  });

  test('when a signed-in user submits with a Bearer token, then the ticket is linked to that user', async () => {
    const { user, auth } = await createUserWithToken(t.ctx);
    const res = await request(t.app).post('/api/v1/contact/submit').set(auth).send(valid).expect(201);
    assert.equal(res.body.user_id, undefined, 'user_id is not part of the public shape');
    const { rows } = await t.ctx.db.pool.query('SELECT user_id FROM contact_submissions WHERE id = $1', [res.body.id]);
    assert.equal(rows[0].user_id, user.id);
  });
});

// Concurrent submissions are written in shared transactions (group commit, submit-writer.ts).
// These tests pin what must not change because of that.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { submitContact } from '../../src/contact/contact.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUserWithToken } from '../helpers/factories.js';

const body = (i: number) => ({
  name: `N${i}`,
  email: `n${i}@example.com`,
  subject: `S${i}`,
  message: `M${i} 'quote' \\ back`,
});

describe('group-committed submissions', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when 40 requests from different users arrive at once, then each ticket row and its audit event carry that request’s own actor and request id', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => createUserWithToken(t.ctx, { role: 'user' })));
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        request(t.app)
          .post('/api/v1/contact/submit')
          .set('X-Request-Id', `req-${i}`)
          .set(users[i % 4]!.auth)
          .send(body(i))
          .expect(201),
      ),
    );
    for (const [i, res] of responses.entries()) {
      assert.equal(res.body.name, `N${i}`);
      assert.equal(res.body.message, `M${i} 'quote' \\ back`);
      const { rows } = await t.ctx.db.pool.query(
        `SELECT t.user_id, e.actor_id, e.request_id, e.source FROM contact_submissions t
         JOIN contact_submission_events e ON e.ticket_id = t.id AND e.operation = 'insert' WHERE t.id = $1`,
        [res.body.id],
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0].user_id, users[i % 4]!.user.id);
      assert.equal(rows[0].actor_id, users[i % 4]!.user.id);
      assert.equal(rows[0].request_id, `req-${i}`);
      assert.equal(rows[0].source, 'api');
    }
    const { rows: jobs } = await t.ctx.db.pool.query(
      `SELECT count(*)::int AS n FROM email_deliveries WHERE kind = 'contact_confirmation' AND ticket_id = ANY($1::uuid[])`,
      [responses.map((r) => r.body.id)],
    );
    assert.equal(jobs[0].n, 40);
  });

  test('when one submission of a batch cannot be written, then only that one fails and the others keep gapless numbers', async () => {
    const input = { name: 'Ok', email: 'ok@example.com', subject: 'S', message: 'M', category: 'general' as const };
    const ghost = { id: randomUUID(), email: 'ghost@example.com', name: 'Ghost', role: 'user' as const }; // no such user: FK fails
    const results = await Promise.allSettled([
      submitContact(t.ctx, input, { actor: null, ip: '127.0.0.1', userAgent: null }),
      submitContact(t.ctx, input, { actor: null, ip: '127.0.0.1', userAgent: null }),
      submitContact(t.ctx, input, { actor: ghost, ip: '127.0.0.1', userAgent: null }),
      submitContact(t.ctx, input, { actor: null, ip: '127.0.0.1', userAgent: null }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    const { rows } = await t.ctx.db.pool.query(`SELECT ticket_number FROM contact_submissions ORDER BY ticket_number`);
    const counters = rows.map((r) => Number(String(r.ticket_number).slice(-4)));
    assert.deepEqual(
      counters,
      Array.from({ length: counters.length }, (_, i) => i + 1),
      'numbers stay gapless',
    );
  });
});

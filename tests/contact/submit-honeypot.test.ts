import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';

const SUBMIT = '/api/v1/contact/submit';
const valid = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Hello', message: 'Something broke' };
const PUBLIC_KEYS = [
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
];

/** Tickets, delivery rows and queued jobs: a dropped submission must leave all three untouched. */
async function footprint(t: TestApp) {
  const { rows } = await t.ctx.db.pool.query(`SELECT
      (SELECT count(*) FROM contact_submissions)::int AS tickets,
      (SELECT count(*) FROM email_deliveries)::int AS deliveries,
      (SELECT count(*) FROM graphile_worker.jobs)::int AS jobs,
      (SELECT coalesce(sum(last_value), 0) FROM ticket_counters)::int AS numbers`);
  return rows[0] as { tickets: number; deliveries: number; jobs: number; numbers: number };
}

describe('honeypot with the default field name (website)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when the website field is filled, then the answer looks like a success but nothing is stored or mailed', async () => {
    const before = await footprint(t);
    const res = await request(t.app)
      .post(SUBMIT)
      .send({ ...valid, category: 'bug', website: 'http://spam.example' })
      .expect(201);
    assert.deepEqual(Object.keys(res.body).sort(), PUBLIC_KEYS);
    assert.match(res.body.ticket_number, /^CONT-\d{8}-\d{4}$/);
    assert.match(res.body.id, /^[0-9a-f-]{36}$/);
    assert.equal(res.body.status, 'pending');
    assert.equal(res.body.category, 'bug');
    assert.equal(res.body.name, 'Ann Lee');
    assert.deepEqual(await footprint(t), before);
  });

  test('when the website field is filled in a form post, then nothing is stored either', async () => {
    const before = await footprint(t);
    await request(t.app)
      .post(SUBMIT)
      .type('form')
      .send({ ...valid, website: 'buy-now' })
      .expect(201);
    assert.deepEqual(await footprint(t), before);
  });

  test('when the website field holds a non-string, then it still counts as filled', async () => {
    const before = await footprint(t);
    await request(t.app)
      .post(SUBMIT)
      .send({ ...valid, website: 1 })
      .expect(201);
    assert.deepEqual(await footprint(t), before);
  });

  test('when the website field is empty or blank, then a normal ticket with its emails is created', async () => {
    for (const website of ['', '   ']) {
      const before = await footprint(t);
      const res = await request(t.app)
        .post(SUBMIT)
        .send({ ...valid, website })
        .expect(201);
      const { rows } = await t.ctx.db.pool.query('SELECT ticket_number FROM contact_submissions WHERE id = $1', [
        res.body.id,
      ]);
      assert.equal(rows[0].ticket_number, res.body.ticket_number);
      const afterSubmit = await footprint(t);
      assert.equal(afterSubmit.tickets, before.tickets + 1);
      assert.ok(afterSubmit.deliveries > before.deliveries, 'a confirmation email is queued');
      assert.ok(afterSubmit.jobs > before.jobs, 'a mail job is queued');
    }
  });
});

describe('honeypot with a custom HONEYPOT_FIELD', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { HONEYPOT_FIELD: 'fax_number' } });
  });
  after(() => t.close());

  test('when the custom field is filled, then nothing is stored', async () => {
    const before = await footprint(t);
    await request(t.app)
      .post(SUBMIT)
      .send({ ...valid, fax_number: '+1 555 0100' })
      .expect(201);
    assert.deepEqual(await footprint(t), before);
  });

  test('when the custom field is empty, then the ticket is created', async () => {
    const before = await footprint(t);
    await request(t.app)
      .post(SUBMIT)
      .type('form')
      .send({ ...valid, fax_number: '' })
      .expect(201);
    assert.equal((await footprint(t)).tickets, before.tickets + 1);
  });

  test('when the default name website is sent instead, then it is just an unknown field', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .send({ ...valid, website: 'x' })
      .expect(400);
    assert.deepEqual(res.body.error.fields.website, ['unknown field']);
  });
});

import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';

const SUBMIT = '/api/v1/contact/submit';
const body = (i: number) => ({
  name: `Visitor ${i}`,
  email: `visitor${i}@example.com`,
  subject: `Question ${i}`,
  message: 'Hello',
});

async function counter(t: TestApp, day: string): Promise<number | undefined> {
  const { rows } = await t.ctx.db.pool.query('SELECT last_value FROM ticket_counters WHERE day = $1::date', [day]);
  return rows[0]?.last_value;
}

describe('ticket numbers under concurrency', () => {
  let t: TestApp;
  let server: Server;
  before(async () => {
    t = await createTestApp({ clock: new TestClock('2026-05-01T12:00:00.000Z') });
    // One listening server for all requests (supertest would otherwise start one per request).
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await t.close();
  });

  test('when 200 visitors submit at the same time, then 200 tickets get unique, gapless numbers 0001..0200', async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => request(server).post(SUBMIT).send(body(i))),
    );
    for (const r of responses) assert.equal(r.status, 201, JSON.stringify(r.body));
    const returned = responses.map((r) => r.body.ticket_number as string).sort();
    const expected = Array.from({ length: 200 }, (_, i) => `CONT-20260501-${String(i + 1).padStart(4, '0')}`);
    assert.deepEqual(returned, expected);

    const { rows } = await t.ctx.db.pool.query('SELECT ticket_number FROM contact_submissions ORDER BY ticket_number');
    assert.deepEqual(
      rows.map((r) => r.ticket_number),
      expected,
    );
    assert.equal(await counter(t, '2026-05-01'), 200);
  });
});

describe('ticket numbers across days and widths', () => {
  let t: TestApp;
  const clock = new TestClock('2026-06-30T23:59:59.999Z');
  before(async () => {
    t = await createTestApp({ clock });
  });
  after(() => t.close());

  const submitNumber = async (i: number) =>
    (await request(t.app).post(SUBMIT).send(body(i)).expect(201)).body.ticket_number as string;

  test('when the UTC day changes, then numbering restarts at 0001 under the new date', async () => {
    assert.equal(await submitNumber(1), 'CONT-20260630-0001');
    assert.equal(await submitNumber(2), 'CONT-20260630-0002');
    clock.advance(1); // 2026-07-01T00:00:00.000Z
    assert.equal(await submitNumber(3), 'CONT-20260701-0001');
    assert.equal(await counter(t, '2026-06-30'), 2);
    assert.equal(await counter(t, '2026-07-01'), 1);
  });

  test('when the stored created_at is read back, then it is the injected clock time', async () => {
    clock.set('2026-07-01T08:30:00.000Z');
    const n = await submitNumber(4);
    const { rows } = await t.ctx.db.pool.query('SELECT created_at FROM contact_submissions WHERE ticket_number = $1', [
      n,
    ]);
    assert.equal(rows[0].created_at.toISOString(), '2026-07-01T08:30:00.000Z');
  });

  test('when a day passes 9999 tickets, then the number widens to 10000 instead of failing', async () => {
    clock.set('2026-08-15T10:00:00.000Z');
    await t.ctx.db.pool.query(`INSERT INTO ticket_counters (day, last_value) VALUES ('2026-08-15', 9998)`);
    assert.equal(await submitNumber(5), 'CONT-20260815-9999');
    assert.equal(await submitNumber(6), 'CONT-20260815-10000');
    assert.equal(await submitNumber(7), 'CONT-20260815-10001');
  });
});

describe('a submission whose transaction fails', () => {
  let t: TestApp;
  const clock = new TestClock('2026-09-01T09:00:00.000Z');
  before(async () => {
    t = await createTestApp({ clock });
    // Make the last step of the submission (queuing the confirmation email) fail for one address,
    // after the counter and the ticket row were already written in the same transaction.
    await t.ctx.db.pool.query(`
      CREATE FUNCTION test_fail_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'forced failure for %', NEW.recipient; END $$;
      CREATE TRIGGER test_fail_delivery BEFORE INSERT ON email_deliveries
        FOR EACH ROW WHEN (NEW.recipient = 'explode@example.com') EXECUTE FUNCTION test_fail_delivery();`);
  });
  after(() => t.close());

  async function footprint() {
    const { rows } = await t.ctx.db.pool.query(`SELECT
        (SELECT count(*) FROM contact_submissions)::int AS tickets,
        (SELECT count(*) FROM email_deliveries)::int AS deliveries,
        (SELECT count(*) FROM graphile_worker.jobs)::int AS jobs,
        (SELECT last_value FROM ticket_counters WHERE day = '2026-09-01') AS counter`);
    return rows[0];
  }

  test('when it fails midway, then no ticket, no counter increment and no job remain; the next number is gapless', async () => {
    await request(t.app).post(SUBMIT).send(body(1)).expect(201);
    const before = await footprint();
    assert.equal(before.counter, 1);

    const res = await request(t.app)
      .post(SUBMIT)
      .send({ ...body(2), email: 'explode@example.com' });
    assert.equal(res.status, 500);
    assert.equal(res.body.error.code, 'internal_error');
    assert.ok(!JSON.stringify(res.body).includes('forced failure'), 'internal details are not sent to the client');
    assert.deepEqual(await footprint(), before);

    const next = await request(t.app).post(SUBMIT).send(body(3)).expect(201);
    assert.equal(next.body.ticket_number, 'CONT-20260901-0002');
  });
});

// REST /api/v1/sla: staff read the calendar and policies, only admins replace them, bad input is
// a 400 naming the field, a change queues the recomputation of open tickets (and the task does
// it); every staff member sets their own digest opt-out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { toPanelAdmin } from '../../admin/access.js';
import { profilePageHandler } from '../../admin/profile-page.js';
import { recomputeOpenTickets } from '../../src/sla/sla.service.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken } from '../helpers/factories.js';

const SLA = '/api/v1/sla';

describe('SLA settings REST', () => {
  const clock = new TestClock(new Date());
  let t: TestApp;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  let admin: Awaited<ReturnType<typeof createUserWithToken>>;

  before(async () => {
    t = await createTestApp({ clock });
    mod = await createUserWithToken(t.ctx, { role: 'moderator' });
    admin = await createUserWithToken(t.ctx, { role: 'admin' });
  });
  after(() => t.close());

  const calendar = {
    time_zone: 'America/New_York',
    weekly_hours: {
      '1': [
        ['08:00', '12:00'],
        ['13:00', '18:00'],
      ],
      '2': [['08:00', '18:00']],
    },
    holiday_country: 'US',
    holiday_region: null,
    holidays: ['2026-12-24'],
  };

  test('when staff read the defaults, then the calendar is Mon–Fri 09–17 Berlin with DE holidays and four policies', async () => {
    const cal = await request(t.app).get(`${SLA}/calendar`).set(mod.auth).expect(200);
    assert.equal(cal.body.time_zone, 'Europe/Berlin');
    assert.deepEqual(cal.body.weekly_hours['1'], [['09:00', '17:00']]);
    assert.equal(cal.body.holiday_country, 'DE');
    const pol = await request(t.app).get(`${SLA}/policies`).set(mod.auth).expect(200);
    assert.deepEqual(
      pol.body.policies.map((p: { priority: string; first_response_minutes: number }) => [
        p.priority,
        p.first_response_minutes,
      ]),
      [
        ['low', 960],
        ['normal', 480],
        ['high', 240],
        ['urgent', 60],
      ],
    );
    await request(t.app).get(`${SLA}/calendar`).expect(401);
  });

  test('when a moderator tries to change them, then it is 403; bad input from an admin is a 400 naming the fields', async () => {
    await request(t.app).put(`${SLA}/calendar`).set(mod.auth).send(calendar).expect(403);
    await request(t.app).put(`${SLA}/policies`).set(mod.auth).send({ policies: [] }).expect(403);
    const bad = await request(t.app)
      .put(`${SLA}/calendar`)
      .set(admin.auth)
      .send({ ...calendar, time_zone: 'Mars/Base', weekly_hours: { '1': [['10:00', '09:00']], '8': [] } })
      .expect(400);
    assert.ok(bad.body.error.fields.time_zone, JSON.stringify(bad.body));
    assert.ok(
      Object.keys(bad.body.error.fields).some((k) => k.startsWith('weekly_hours')),
      JSON.stringify(bad.body),
    );
    const region = await request(t.app)
      .put(`${SLA}/calendar`)
      .set(admin.auth)
      .send({ ...calendar, holiday_country: 'DE', holiday_region: 'XX' })
      .expect(400);
    assert.match(region.body.error.fields.holiday_region[0], /not known/);
    const overlap = await request(t.app)
      .put(`${SLA}/calendar`)
      .set(admin.auth)
      .send({
        ...calendar,
        weekly_hours: {
          '1': [
            ['08:00', '12:00'],
            ['11:00', '13:00'],
          ],
        },
      })
      .expect(400);
    assert.match(overlap.body.error.fields['weekly_hours.1'][0], /overlap/);
    const dup = await request(t.app)
      .put(`${SLA}/policies`)
      .set(admin.auth)
      .send({
        policies: [
          { priority: 'urgent', first_response_minutes: 30, resolution_minutes: 60 },
          { priority: 'urgent', first_response_minutes: 0, resolution_minutes: 60 },
        ],
      })
      .expect(400);
    assert.ok(JSON.stringify(dup.body.error.fields).includes('at least 1'), JSON.stringify(dup.body));
  });

  test('when an admin replaces the policies, then open tickets are recomputed by the queued task', async () => {
    const ticket = await createTicket(t.ctx);
    const due = async () =>
      (
        await t.ctx.db.pool.query('SELECT sla_first_response_due_at FROM contact_submissions WHERE id = $1', [
          ticket.id,
        ])
      ).rows[0].sla_first_response_due_at;
    assert.ok(await due(), 'the normal policy gave it a due time');
    const res = await request(t.app)
      .put(`${SLA}/policies`)
      .set(admin.auth)
      .send({
        policies: [{ priority: 'urgent', category: 'abuse', first_response_minutes: 15, resolution_minutes: 60 }],
      })
      .expect(200);
    assert.deepEqual(res.body.policies, [
      { priority: 'urgent', category: 'abuse', first_response_minutes: 15, resolution_minutes: 60 },
    ]);
    const jobs = await t.ctx.db.pool.query(
      `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'sla_recompute_open'`,
    );
    assert.equal(jobs.rows[0].n, 1);
    assert.ok((await recomputeOpenTickets(t.ctx.db, clock.now())) >= 1);
    assert.equal(await due(), null, 'no policy for normal any more: no due time');
  });

  test('when an admin replaces the calendar, then it is stored and read back', async () => {
    const res = await request(t.app).put(`${SLA}/calendar`).set(admin.auth).send(calendar).expect(200);
    assert.deepEqual(res.body, calendar);
  });

  test('when a moderator turns the digest off and on, then their profile says so; a bad value is a 400', async () => {
    assert.deepEqual((await request(t.app).get(`${SLA}/digest`).set(mod.auth).expect(200)).body, {
      digest_opt_out: false,
    });
    await request(t.app).put(`${SLA}/digest`).set(mod.auth).send({ digest_opt_out: true }).expect(200);
    const row = await t.ctx.db.pool.query('SELECT digest_opt_out FROM users WHERE id = $1', [mod.user.id]);
    assert.equal(row.rows[0].digest_opt_out, true);
    const bad = await request(t.app).put(`${SLA}/digest`).set(mod.auth).send({ digest_opt_out: 'nope' }).expect(400);
    assert.match(bad.body.error.fields.digest_opt_out[0], /true or false/);
  });

  test("when the panel's My profile page reads and posts, then it uses the same opt-out; others get nothing", async () => {
    // The page handler as AdminJS calls it (request, response, context with the session's user).
    const page = profilePageHandler(t.ctx);
    const me = { currentAdmin: toPanelAdmin(mod.user) } as never;
    assert.deepEqual(await page({ method: 'get' }, {}, me), { digest_opt_out: true });
    assert.deepEqual(await page({ method: 'post', payload: { digest_opt_out: false } }, {}, me), {
      digest_opt_out: false,
    });
    const bad = await page({ method: 'post', payload: { digest_opt_out: 'sometimes' } }, {}, me);
    assert.match(bad.fields.digest_opt_out[0], /true or false/);
    const row = await t.ctx.db.pool.query('SELECT digest_opt_out FROM users WHERE id = $1', [mod.user.id]);
    assert.equal(row.rows[0].digest_opt_out, false);
    assert.deepEqual(await page({ method: 'get' }, {}, { currentAdmin: undefined } as never), { error: 'forbidden' });
  });
});

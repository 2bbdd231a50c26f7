// stats/overview `sla`: attainment of first response and resolution over 7 / 30 days, per
// priority and per moderator, and the median first response in business hours, with a fixed
// clock on the default calendar (Mon–Fri 09–17 Europe/Berlin).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { getDashboard } from '../../src/contact/dashboard.service.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken } from '../helpers/factories.js';

const API = '/api/v1/contact';

describe('SLA attainment in stats/overview', () => {
  const clock = new TestClock('2026-03-02T09:00:00+01:00'); // Monday 09:00 Berlin
  let t: TestApp;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;

  before(async () => {
    t = await createTestApp({ clock });
    mod = await createUserWithToken(t.ctx, { role: 'moderator' });
  });
  after(() => t.close());

  const reply = (id: string, extra: Record<string, unknown> = {}) =>
    request(t.app)
      .post(`${API}/${id}/messages`)
      .set(mod.auth)
      .send({ kind: 'reply', body: 'On it', ...extra })
      .expect(201);

  test('when one first response was in time, one late and one is still missing, then attainment is 33.3 %', async () => {
    const a = (await createTicket(t.ctx)).id; // normal: first response by 17:00
    const b = (await createTicket(t.ctx)).id;
    await request(t.app).patch(`${API}/${b}`).set(mod.auth).send({ priority: 'urgent' }).expect(200); // by 10:00
    await createTicket(t.ctx); // normal, never answered
    clock.set('2026-03-02T10:00:00+01:00');
    await reply(a);
    clock.set('2026-03-02T11:00:00+01:00');
    await reply(b);
    await request(t.app).post(`${API}/${a}/mark-resolved`).set(mod.auth).send({}).expect(200);

    clock.set('2026-03-03T12:00:00+01:00'); // Tuesday noon: the unanswered one breached at 17:00
    const res = await request(t.app).get(`${API}/stats/overview`).set(mod.auth).expect(200);
    const sla = res.body.sla;
    assert.deepEqual(sla.last_7d.first_response, { met: 1, missed: 2, percent: 33.3 });
    assert.deepEqual(sla.last_30d.first_response, { met: 1, missed: 2, percent: 33.3 });
    // Only the resolved one is decided: the urgent one breached nothing before it waited on the customer.
    assert.deepEqual(sla.last_30d.resolution, { met: 1, missed: 0, percent: 100 });
    // 1 h and 2 h of business time.
    assert.equal(sla.last_30d.median_first_response_business_seconds, 5400);
    assert.deepEqual(sla.by_priority_30d.urgent.first_response, { met: 0, missed: 1, percent: 0 });
    assert.deepEqual(sla.by_priority_30d.normal.first_response, { met: 1, missed: 1, percent: 50 });
    assert.deepEqual(sla.by_priority_30d.low.first_response, { met: 0, missed: 0, percent: null });
    // The replier took both answered tickets (first reply assigns); the unanswered one has nobody.
    const me = sla.by_moderator_30d.find((m: { id: string }) => m.id === mod.user.id);
    assert.deepEqual(me.first_response, { met: 1, missed: 1, percent: 50 });
    assert.deepEqual(me.resolution, { met: 1, missed: 0, percent: 100 });
    // The dashboard shows the same figures.
    const dashboard = await getDashboard(t.ctx, mod.user);
    const card = dashboard.headline.find((h) => h.key === 'sla_first_response_30d')!;
    assert.equal(card.value, 33.3);
    assert.match(card.label, /First response on time, 30 days, % \(3 tickets\)/);
  });

  test('when the window moves on, then decisions older than 7 days leave last_7d but stay in last_30d', async () => {
    clock.set('2026-03-11T12:00:00+01:00');
    const res = await request(t.app).get(`${API}/stats/overview`).set(mod.auth).expect(200);
    assert.equal(res.body.sla.last_7d.first_response.percent, null);
    assert.equal(res.body.sla.last_7d.median_first_response_business_seconds, null);
    assert.equal(res.body.sla.last_30d.first_response.met, 1);
  });
});

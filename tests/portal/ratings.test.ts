// Satisfaction through the real pipeline: the resolution mail asks "Did this solve your problem?"
// with one-click links; a click records the rating (one per resolution), it can change within 7
// days and not after; a bad rating alerts the assignee (the admins when unassigned), once; CSAT
// shows in stats/overview (7 / 30 days, per moderator), on the dashboard and per ticket.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { getDashboard } from '../../src/contact/dashboard.service.js';
import { createUserWithToken } from '../helpers/factories.js';
import { mailTestEnv, waitForQueueDrained, type MailTestEnv } from '../mail/mail-setup.js';
import { API, linkPathIn, submitWithLink } from './portal-setup.js';

describe('satisfaction ratings', () => {
  let env: MailTestEnv;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  let admin: Awaited<ReturnType<typeof createUserWithToken>>;

  before(async () => {
    env = await mailTestEnv();
    mod = await createUserWithToken(env.ctx, { role: 'moderator', name: 'Ria Resolver', email: 'ria@desk.test' });
    admin = await createUserWithToken(env.ctx, { role: 'admin', name: 'Ada Admin', email: 'ada@desk.test' });
  });
  after(() => env.close());

  /** A ticket resolved by `by` (assigned to them first unless `unassigned`), and its resolution mail. */
  async function resolvedTicket(opts: { unassigned?: boolean } = {}) {
    const t = await submitWithLink(env);
    if (!opts.unassigned)
      await request(env.t.app).post(`${API}/${t.ticket.id}/assign-to-me`).set(mod.auth).send({}).expect(200);
    await request(env.t.app).post(`${API}/${t.ticket.id}/mark-resolved`).set(mod.auth).send({}).expect(200);
    await waitForQueueDrained(env.ctx);
    const mail = env.sink.to(t.email).find((m) => m.parsed.subject?.includes('has been resolved'));
    assert.ok(mail, 'the resolution mail arrived');
    assert.match(mail.parsed.text!, /Did this solve your problem\?/);
    return { ...t, good: linkPathIn(mail, '/rate/good'), bad: linkPathIn(mail, '/rate/bad') };
  }
  const alertsTo = (address: string) =>
    env.sink.to(address).filter((m) => m.parsed.subject?.includes('Rated "not solved"'));

  test('when the customer clicks "yes" in the mail, then it is recorded and can be changed to "no" within 7 days, which alerts the assignee once', async () => {
    const t = await resolvedTicket();
    const page = await request(env.t.app).get(t.good).expect(200);
    assert.match(page.text, /Your answer: Yes, it did\./);
    assert.match(page.text, /name="comment"/, 'offers the optional comment');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;

    await request(env.t.app).get(t.bad).expect(200);
    // The form posts to the page of the link it came from (the resolution mail's link; its own form token).
    await request(env.t.app)
      .post(`${t.good.replace(/\/rate\/good$/, '')}/rate`)
      .type('form')
      .send({ csrf, score: 'bad', comment: 'The parcel is still missing.' })
      .expect(303);
    await request(env.t.app).get(t.good).expect(200);
    await request(env.t.app).get(t.bad).expect(200);
    await waitForQueueDrained(env.ctx);

    const ratings = await request(env.t.app).get(`${API}/${t.ticket.id}/ratings`).set(mod.auth).expect(200);
    assert.equal(ratings.body.ratings.length, 1, 'one rating per resolution');
    assert.equal(ratings.body.ratings[0].score, 'bad');
    assert.equal(ratings.body.ratings[0].comment, 'The parcel is still missing.');
    const alerts = alertsTo('ria@desk.test');
    assert.equal(alerts.length, 1, 'the assignee is alerted once, however often it flips');
    assert.ok(alerts[0]!.parsed.text!.includes(t.ticket.ticket_number));
    assert.equal(alertsTo('ada@desk.test').length, 0);
    const shown = await request(env.t.app).get(t.path).expect(200);
    assert.match(shown.text, /Your answer: No, it did not\./);
  });

  test('when 7 days have passed since the rating, then changing it is refused', async () => {
    const t = await resolvedTicket();
    await request(env.t.app).get(t.good).expect(200);
    await env.ctx.db.pool.query(
      `UPDATE ticket_ratings SET created_at = created_at - interval '7 days 1 minute' WHERE ticket_id = $1`,
      [t.ticket.id],
    );
    const refused = await request(env.t.app).get(t.bad).expect(409);
    assert.match(refused.text, /can no longer be changed/);
    const { rows } = await env.ctx.db.pool.query(`SELECT score::text FROM ticket_ratings WHERE ticket_id = $1`, [
      t.ticket.id,
    ]);
    assert.deepEqual(rows, [{ score: 'good' }]);
  });

  test('when an unassigned ticket is rated bad, then the admins are alerted; an open ticket cannot be rated', async () => {
    const t = await resolvedTicket({ unassigned: true });
    await request(env.t.app).get(t.bad).expect(200);
    await waitForQueueDrained(env.ctx);
    assert.equal(alertsTo('ada@desk.test').filter((m) => m.parsed.text!.includes(t.ticket.ticket_number)).length, 1);
    await request(env.t.app).post(`${API}/${t.ticket.id}/reopen`).set(mod.auth).send({}).expect(200);
    const res = await request(env.t.app).get(t.good).expect(409);
    assert.match(res.text, /nothing to rate/);
  });

  test('when the ticket is in French, then the thank-you page after a click is in French', async () => {
    const t = await resolvedTicket();
    await env.ctx.db.pool.query(`UPDATE contact_submissions SET language = 'fr' WHERE id = $1`, [t.ticket.id]);
    const page = await request(env.t.app).get(t.good).expect(200);
    assert.match(page.text, /<html lang="fr"/);
    assert.match(page.text, /Merci pour votre réponse/);
  });

  test('when ratings exist, then stats/overview gives CSAT over 7 and 30 days and per moderator, and the dashboard shows it', async () => {
    // Clean slate for exact numbers: 3 good, 1 bad for Ria, one good 20 days ago.
    await env.ctx.db.pool.query('DELETE FROM ticket_ratings');
    // No rating yet: no percentage (not "0 %"), and the card is no link to the list.
    const none = (await getDashboard(env.ctx, admin.user)).headline.find((h) => h.key === 'csat_30d');
    assert.deepEqual([none?.value, none?.query], [null, null]);
    for (const score of ['good', 'good', 'bad'] as const) {
      const t = await resolvedTicket();
      await request(env.t.app)
        .get(score === 'good' ? t.good : t.bad)
        .expect(200);
    }
    const old = await resolvedTicket();
    await request(env.t.app).get(old.good).expect(200);
    await env.ctx.db.pool.query(
      `UPDATE ticket_ratings SET created_at = now() - interval '20 days' WHERE ticket_id = $1`,
      [old.ticket.id],
    );
    const stats = await request(env.t.app).get(`${API}/stats/overview`).set(admin.auth).expect(200);
    assert.deepEqual(stats.body.csat.last_7d, { good: 2, bad: 1, percent: 66.7 });
    assert.deepEqual(stats.body.csat.last_30d, { good: 3, bad: 1, percent: 75 });
    assert.deepEqual(stats.body.csat.by_moderator_30d, [
      { id: mod.user.id, name: 'Ria Resolver', email: 'ria@desk.test', good: 3, bad: 1, percent: 75 },
    ]);
    const dashboard = await getDashboard(env.ctx, admin.user);
    const csat = dashboard.headline.find((h) => h.key === 'csat_30d');
    assert.equal(csat?.value, 75);
    assert.match(csat!.label, /4 ratings/);
  });
});

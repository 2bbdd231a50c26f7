import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SESSION_TABLE } from '../../admin/auth.js';
import { setUserPassword } from '../../src/auth/users.service.js';
import { TestClock, testConfig, type TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, sessionCookie } from '../helpers/admin-login.js';
import { createUser } from '../helpers/factories.js';

const LIST = '/admin/api/resources/tickets/actions/list';

describe('panel session after a password change', () => {
  let t: TestApp;
  const clock = new TestClock('2026-03-02T10:00:00Z');
  before(async () => {
    t = await createPanelTestApp({ clock });
  });
  after(() => t.close());

  test('when a signed-in moderator’s password is reset, then their next panel request ends the session', async () => {
    const admin = await createUser(t.ctx, { role: 'admin' });
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const agent = await panelLogin(t.app, mod);
    await agent.get(LIST).expect(200);
    clock.advance(1000);
    await setUserPassword(t.ctx, admin, { userId: mod.id, password: 'a brand new password' }, { source: 'api' });
    const res = await agent.get(LIST).expect(302);
    assert.equal(res.headers.location, '/admin/login');
    // The session is gone for good, not just refused once.
    await agent.get(LIST).expect(302);
  });

  test('when the moderator signs in again with the new password, then the new session works', async () => {
    const admin = await createUser(t.ctx, { role: 'admin' });
    const mod = await createUser(t.ctx, { role: 'moderator' });
    clock.advance(1000);
    await setUserPassword(t.ctx, admin, { userId: mod.id, password: 'a brand new password' }, { source: 'api' });
    clock.advance(1000);
    const agent = await panelLogin(t.app, { email: mod.email, password: 'a brand new password' });
    await agent.get(LIST).expect(200);
    clock.advance(1000);
    await agent.get(LIST).expect(200);
  });
});

describe('panel session absolute lifetime (SESSION_MAX_HOURS)', () => {
  let t: TestApp;
  const clock = new TestClock('2026-03-02T10:00:00Z');
  before(async () => {
    t = await createPanelTestApp({ clock, env: { SESSION_IDLE_HOURS: '1', SESSION_MAX_HOURS: '3' } });
  });
  after(() => t.close());

  test('when a session is used all the time, then it still ends SESSION_MAX_HOURS after sign-in, and its cookie never outlives that', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const agent = await panelLogin(t.app, mod);
    // Busy all day: a click every half hour keeps the one-hour idle timeout from ever firing.
    for (let i = 0; i < 5; i++) {
      clock.advance(30 * 60_000);
      await agent.get(LIST).expect(200);
    }
    // 2 h 50 min after sign-in: ten minutes left, so the cookie is renewed for ten, not sixty.
    clock.advance(20 * 60_000);
    const late = await agent.get(LIST).expect(200);
    const raw = ([] as string[])
      .concat(late.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith(`${sessionCookie(late)}`))!;
    const expires = new Date(/Expires=([^;]+)/.exec(raw)![1]!).getTime();
    assert.ok(
      Math.abs(expires - (Date.now() + 10 * 60_000)) < 60_000,
      `cookie expires ${new Date(expires).toISOString()}`,
    );
    // Past three hours: signed out, the row deleted.
    clock.advance(11 * 60_000);
    const res = await agent.get(LIST).expect(302);
    assert.equal(res.headers.location, '/admin/login');
    const { rows } = await t.ctx.db.pool.query(`SELECT sess FROM ${SESSION_TABLE}`);
    assert.ok(!rows.some((r) => r.sess.adminUser?.id === mod.id), 'session row deleted');
    await agent.get(LIST).expect(302);
  });

  test('when SESSION_MAX_HOURS is below SESSION_IDLE_HOURS, then the configuration is refused naming the variable', () => {
    assert.throws(() => testConfig({ SESSION_IDLE_HOURS: '8', SESSION_MAX_HOURS: '4' }), /SESSION_MAX_HOURS/);
  });
});

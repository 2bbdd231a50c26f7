import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { resolveSessionSecret, SESSION_TABLE } from '../../admin/auth.js';
import { INVALID_CREDENTIALS_MESSAGE } from '../../src/auth/auth.service.js';
import { updateUser } from '../../src/auth/users.service.js';
import { TestClock, testConfig, type TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, sessionCookie } from '../helpers/admin-login.js';
import { createUser } from '../helpers/factories.js';

const LIST = '/admin/api/resources/tickets/actions/list';

async function loginStatus(t: TestApp, email: string, password: string) {
  return request(t.app).post('/admin/login').type('form').send({ email, password });
}

describe('panel sign-in', () => {
  let t: TestApp;
  before(async () => {
    t = await createPanelTestApp({ clock: new TestClock('2026-03-02T10:00:00Z') });
  });
  after(() => t.close());

  test('when an active moderator signs in, then they are redirected to the panel with an httpOnly, SameSite=Lax session cookie', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const res = await loginStatus(t, mod.email, mod.password);
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/admin');
    const raw = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('contactdesk.sid='))!;
    assert.match(raw, /HttpOnly/);
    assert.match(raw, /SameSite=Lax/);
    assert.doesNotMatch(raw, /Secure/);
    assert.match(raw, /Path=\/admin/);
  });

  test('when an admin signs in, then the panel API answers with their data', async () => {
    const admin = await createUser(t.ctx, { role: 'admin' });
    const agent = await panelLogin(t.app, admin);
    const res = await agent.get(LIST).expect(200);
    assert.ok(Array.isArray(res.body.records));
  });

  test('when a user with role "user", an inactive moderator, a wrong password or an unknown email tries, then all get the same 401 login page', async () => {
    const plain = await createUser(t.ctx, { role: 'user' });
    const inactive = await createUser(t.ctx, { role: 'moderator', isActive: false });
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const attempts = [
      await loginStatus(t, plain.email, plain.password),
      await loginStatus(t, inactive.email, inactive.password),
      await loginStatus(t, mod.email, 'wrong password entirely'),
      await loginStatus(t, 'nobody@example.com', 'whatever password'),
    ];
    for (const res of attempts) {
      assert.equal(res.status, 401);
      assert.equal(sessionCookie(res), undefined, 'no session is started');
      assert.ok(res.text.includes(INVALID_CREDENTIALS_MESSAGE));
    }
  });

  test('when the panel login gets a NUL or control character in the email or a NUL in the password, then the same 401 login page', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    for (const [email, password] of [
      ['a\u0000b@x.com', 'xxxxxxxxxxxxx'],
      [`${mod.email}\u0001`, mod.password],
      [mod.email, `${mod.password}\u0000`],
    ]) {
      const res = await loginStatus(t, email!, password!);
      assert.equal(res.status, 401, JSON.stringify(email));
      assert.ok(res.text.includes(INVALID_CREDENTIALS_MESSAGE));
    }
  });

  test('when nobody is signed in, then panel pages and API calls redirect to the login page', async () => {
    const page = await request(t.app).get('/admin').expect(302);
    assert.equal(page.headers.location, '/admin/login');
    const api = await request(t.app).get(LIST).expect(302);
    assert.equal(api.headers.location, '/admin/login');
    const csv = await request(t.app).get('/admin/export/tickets.csv').expect(302);
    assert.equal(csv.headers.location, '/admin/login');
  });

  test('when a signed-in moderator signs in again, then the session id changes and the old one no longer works', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const first = await loginStatus(t, mod.email, mod.password);
    const oldCookie = sessionCookie(first)!;
    const second = await request(t.app)
      .post('/admin/login')
      .set('Cookie', oldCookie)
      .type('form')
      .send({ email: mod.email, password: mod.password })
      .expect(302);
    const newCookie = sessionCookie(second)!;
    assert.ok(newCookie);
    assert.notEqual(newCookie, oldCookie);
    await request(t.app).get(LIST).set('Cookie', newCookie).expect(200);
    const stale = await request(t.app).get(LIST).set('Cookie', oldCookie).expect(302);
    assert.equal(stale.headers.location, '/admin/login');
  });

  test('when a moderator opens GET /admin/logout, then they stay signed in and get a page whose form POSTs the logout', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const cookie = sessionCookie(await loginStatus(t, mod.email, mod.password))!;
    const page = await request(t.app).get('/admin/logout').set('Cookie', cookie).expect(200);
    assert.match(page.text, /<form method="post" action="\/admin\/logout">/);
    // Rolling sessions re-send the cookie on every request: the same session, not a cleared one.
    assert.equal(sessionCookie(page) ?? cookie, cookie);
    await request(t.app).get(LIST).set('Cookie', cookie).expect(200);
    // Signed out already: the logout page is pointless, back to the login page.
    const anon = await request(t.app).get('/admin/logout').expect(302);
    assert.equal(anon.headers.location, '/admin/login');
  });

  test('when a moderator logs out (POST), then the session row is deleted and the old cookie no longer works', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const cookie = sessionCookie(await loginStatus(t, mod.email, mod.password))!;
    const sid = decodeURIComponent(cookie.split('=')[1]!).replace(/^s:/, '').split('.')[0];
    const before = await t.ctx.db.pool.query(`SELECT 1 FROM ${SESSION_TABLE} WHERE sid = $1`, [sid]);
    assert.equal(before.rowCount, 1);
    const out = await request(t.app).post('/admin/logout').set('Cookie', cookie).expect(302);
    assert.equal(out.headers.location, '/admin/login');
    const afterLogout = await t.ctx.db.pool.query(`SELECT 1 FROM ${SESSION_TABLE} WHERE sid = $1`, [sid]);
    assert.equal(afterLogout.rowCount, 0);
    const res = await request(t.app).get(LIST).set('Cookie', cookie).expect(302);
    assert.equal(res.headers.location, '/admin/login');
  });

  test('when a signed-in moderator is deactivated, then their next panel request ends the session', async () => {
    const admin = await createUser(t.ctx, { role: 'admin' });
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const agent = await panelLogin(t.app, mod);
    await agent.get(LIST).expect(200);
    await updateUser(t.ctx, admin, { userId: mod.id }, { is_active: false }, { source: 'api' });
    const res = await agent.get(LIST).expect(302);
    assert.equal(res.headers.location, '/admin/login');
  });

  test('when a moderator is demoted to "user" mid-session, then the panel refuses them at once', async () => {
    const admin = await createUser(t.ctx, { role: 'admin' });
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const agent = await panelLogin(t.app, mod);
    await updateUser(t.ctx, admin, { userId: mod.id }, { role: 'user' }, { source: 'api' });
    await agent.get(LIST).expect(302);
  });

  test('when a password is guessed wrong repeatedly, then the panel login is throttled with 429 like the API', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    let last = await loginStatus(t, mod.email, 'wrong password 0');
    for (let i = 1; i < 8 && last.status !== 429; i++) last = await loginStatus(t, mod.email, `wrong password ${i}`);
    assert.equal(last.status, 429);
    // The throttle's real remaining wait (the API reports the same one for this account), in the
    // header and in the message; not a fixed 60.
    const api = await request(t.app)
      .post('/api/v1/auth/token')
      .send({ email: mod.email, password: 'wrong password api' })
      .expect(429);
    const wait = Number(last.headers['retry-after']);
    assert.ok(Number.isInteger(wait) && wait >= 1, `Retry-After ${last.headers['retry-after']}`);
    assert.equal(last.headers['retry-after'], api.headers['retry-after']);
    assert.notEqual(wait, 60);
    assert.match(last.text, new RegExp(`Too many sign-in attempts. Please wait ${wait} seconds? and try again`));
    // Blocked: even the right password is refused until the block ends (the clock is frozen).
    assert.equal((await loginStatus(t, mod.email, mod.password)).status, 429);
  });
});

describe('panel session settings', () => {
  let t: TestApp;
  before(async () => {
    t = await createPanelTestApp({
      env: { PUBLIC_URL: 'https://desk.example.com', TRUST_PROXY: 'true', SESSION_IDLE_HOURS: '2' },
    });
  });
  after(() => t.close());

  test('when PUBLIC_URL is https, then the cookie is Secure and expires after the idle timeout, renewed on each request', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const login = await request(t.app)
      .post('/admin/login')
      .set('X-Forwarded-Proto', 'https')
      .type('form')
      .send({ email: mod.email, password: mod.password })
      .expect(302);
    const raw = (login.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('contactdesk.sid='))!;
    assert.match(raw, /Secure/);
    const expires = new Date(/Expires=([^;]+)/.exec(raw)![1]!).getTime();
    assert.ok(Math.abs(expires - (Date.now() + 2 * 3_600_000)) < 60_000, 'expires two idle hours from now');
    const next = await request(t.app)
      .get(LIST)
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', sessionCookie(login)!)
      .expect(200);
    assert.ok(sessionCookie(next), 'rolling: every request re-sends the cookie with a new expiry');
  });
});

describe('session table', () => {
  let t: TestApp;
  before(async () => {
    t = await createPanelTestApp();
  });
  after(() => t.close());

  test("when the database is migrated, then admin_sessions exists with connect-pg-simple's columns and expiry index before any sign-in", async () => {
    const { rows: cols } = await t.ctx.db.pool.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = $1 ORDER BY ordinal_position`,
      [SESSION_TABLE],
    );
    assert.deepEqual(cols, [
      { column_name: 'sid', data_type: 'character varying', is_nullable: 'NO' },
      { column_name: 'sess', data_type: 'json', is_nullable: 'NO' },
      { column_name: 'expire', data_type: 'timestamp without time zone', is_nullable: 'NO' },
    ]);
    const { rows: idx } = await t.ctx.db.pool.query(
      `SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1`,
      [SESSION_TABLE],
    );
    assert.deepEqual(
      idx.map((r) => r.indexname),
      ['IDX_session_expire', 'session_pkey'],
    );
    const { rows: applied } = await t.ctx.db.pool.query(
      `SELECT 1 FROM _prisma_migrations WHERE migration_name = '20261202100000_sessions' AND finished_at IS NOT NULL`,
    );
    assert.equal(applied.length, 1);
  });
});

describe('session secret', () => {
  test('when SESSION_SECRET is unset, then a secret is generated once into DATA_DIR/session-secret with mode 600 and reused', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cd-secret-'));
    try {
      const config = { ...testConfig({ DATA_DIR: dir }), SESSION_SECRET: undefined };
      const first = await resolveSessionSecret(config);
      const second = await resolveSessionSecret(config);
      assert.ok(first.length >= 32);
      assert.equal(second, first);
      const file = path.join(dir, 'session-secret');
      assert.equal((await readFile(file, 'utf8')).trim(), first);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('when SESSION_SECRET is set, then it is used as is', async () => {
    const config = testConfig({ SESSION_SECRET: 'x'.repeat(40) });
    assert.equal(await resolveSessionSecret(config), 'x'.repeat(40));
  });
});

describe('rolling session expiry', () => {
  let t: TestApp;
  before(async () => {
    t = await createPanelTestApp({ env: { SESSION_IDLE_HOURS: '2' } });
  });
  after(() => t.close());

  test('when a moderator makes requests within a minute, then the stored expiry is pushed on the first and left on the next', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const agent = await panelLogin(t.app, mod);
    const expiry = async () =>
      (
        await t.ctx.db.pool.query<{ ms: number }>(
          `SELECT extract(epoch FROM expire) * 1000 AS ms FROM ${SESSION_TABLE}`,
        )
      ).rows[0]!.ms;
    const pullIn = () =>
      t.ctx.db.pool.query(`UPDATE ${SESSION_TABLE} SET expire = (now() AT TIME ZONE 'UTC') + interval '10 minutes'`);

    await pullIn();
    await agent.get(LIST).expect(200);
    const pushed = await expiry();
    assert.ok(Math.abs(pushed - (Date.now() + 2 * 3_600_000)) < 60_000, 'first request: two idle hours from now');

    await pullIn();
    await agent.get(LIST).expect(200);
    const left = await expiry();
    assert.ok(
      Math.abs(left - (Date.now() + 10 * 60_000)) < 60_000,
      'second request within the minute: not written again',
    );
  });
});

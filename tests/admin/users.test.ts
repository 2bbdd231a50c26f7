import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createUser, type TestUser } from '../helpers/factories.js';

const API = '/admin/api/resources/users';
const recordUrl = (id: string, action: string) => `${API}/records/${id}/${action}`;

const PASSWORDS = ['a long enough password', 'brand new password 1', 'short'];

/** No response body may carry a password hash, a password value or a password param. */
function assertNoSecrets(res: { text: string; body: unknown }) {
  assert.doesNotMatch(res.text, /\$argon2/);
  assert.doesNotMatch(res.text, /password_?hash/i);
  for (const p of PASSWORDS) assert.ok(!res.text.includes(`"${p}"`), `the password "${p}" is echoed back`);
  const body = res.body as { record?: { params?: object }; records?: Array<{ params?: object }> };
  for (const params of [body.record?.params, ...(body.records ?? []).map((r) => r.params)]) {
    assert.ok(!params || !('password' in params), 'no password param');
  }
}

describe('panel Users resource', () => {
  let t: TestApp;
  let admin: TestUser;
  let mod: TestUser;
  let adminAgent: PanelAgent;
  let modAgent: PanelAgent;

  before(async () => {
    t = await createPanelTestApp();
    admin = await createUser(t.ctx, { role: 'admin' });
    mod = await createUser(t.ctx, { role: 'moderator' });
    adminAgent = await panelLogin(t.app, admin);
    modAgent = await panelLogin(t.app, mod);
  });
  after(() => t.close());

  test('when an admin creates a moderator with a password, then the new user can sign in to the panel and no response shows the password or hash', async () => {
    const res = await adminAgent
      .post(`${API}/actions/new`)
      .send({ email: 'new.mod@example.com', name: 'New Mod', role: 'moderator', password: 'a long enough password' })
      .expect(200);
    assert.equal(res.body.notice.type, 'success');
    assertNoSecrets(res);
    const row = (await t.ctx.db.pool.query("SELECT password_hash FROM users WHERE email = 'new.mod@example.com'"))
      .rows[0];
    assert.match(row.password_hash, /^\$argon2id\$/);
    await panelLogin(t.app, { email: 'new.mod@example.com', password: 'a long enough password' });
  });

  test('when an admin creates a user with a short password or a taken email, then the form shows the field error and nothing is created', async () => {
    const short = await adminAgent
      .post(`${API}/actions/new`)
      .send({ email: 'short@example.com', name: 'Short', role: 'moderator', password: 'short' })
      .expect(200);
    assert.equal(short.body.notice.type, 'error');
    assert.ok(short.body.record.errors.password);
    assertNoSecrets(short);
    const taken = await adminAgent
      .post(`${API}/actions/new`)
      .send({ email: mod.email, name: 'Dup', role: 'moderator' })
      .expect(200);
    assert.equal(taken.body.notice.type, 'error');
    assert.ok(taken.body.record.errors.email);
    const count = await t.ctx.db.pool.query("SELECT 1 FROM users WHERE email = 'short@example.com'");
    assert.equal(count.rowCount, 0);
  });

  test('when an admin lists, searches, shows and opens the edit form, then no response carries the hash', async () => {
    const responses = [
      await adminAgent.get(`${API}/actions/list`).expect(200),
      await adminAgent.get(`${API}/actions/list?filters.q=${encodeURIComponent(mod.email)}`).expect(200),
      await adminAgent.get(`${API}/actions/search/${encodeURIComponent(mod.email)}`).expect(200),
      await adminAgent.get(recordUrl(mod.id, 'show')).expect(200),
      await adminAgent.get(recordUrl(mod.id, 'edit')).expect(200),
    ];
    assert.ok(responses[0]!.body.records.length >= 2);
    assert.deepEqual(
      responses[1]!.body.records.map((r: { id: string }) => r.id),
      [mod.id],
    );
    assert.equal(responses[3]!.body.record.params.email, mod.email);
    assert.equal(responses[3]!.body.record.params.hasPassword, true);
    responses.forEach(assertNoSecrets);
  });

  test('when an admin changes a role and sets a new password, then the change applies and only the new password works', async () => {
    const user = await createUser(t.ctx, { role: 'user' });
    const res = await adminAgent
      .post(recordUrl(user.id, 'edit'))
      .send({
        email: user.email,
        name: 'Promoted',
        role: 'moderator',
        isActive: 'true',
        password: 'brand new password 1',
      })
      .expect(200);
    assert.equal(res.body.notice.type, 'success');
    assertNoSecrets(res);
    const row = (await t.ctx.db.pool.query('SELECT role, name FROM users WHERE id = $1', [user.id])).rows[0];
    assert.deepEqual(row, { role: 'moderator', name: 'Promoted' });
    const old = await request(t.app)
      .post('/admin/login')
      .type('form')
      .send({ email: user.email, password: user.password });
    assert.equal(old.status, 401);
    await panelLogin(t.app, { email: user.email, password: 'brand new password 1' });
  });

  test('when an admin renames a user and the new password is too short, then the form shows the password error and the name is unchanged', async () => {
    const user = await createUser(t.ctx, { role: 'moderator', name: 'Before' });
    const res = await adminAgent
      .post(recordUrl(user.id, 'edit'))
      .send({ email: user.email, name: 'After', role: 'moderator', isActive: 'true', password: 'short' })
      .expect(200);
    assert.equal(res.body.notice.type, 'error');
    assert.ok(res.body.record.errors.password);
    assertNoSecrets(res);
    const row = (await t.ctx.db.pool.query('SELECT name FROM users WHERE id = $1', [user.id])).rows[0];
    assert.equal(row.name, 'Before');
  });

  test('when writing the new password fails during an edit that also renames, then nothing of the edit is saved', async () => {
    const user = await createUser(t.ctx, { role: 'moderator', name: 'Before' });
    // Fails the password write inside the database, after every check in the app has passed: only
    // a single transaction for the whole edit keeps the rename from being committed on its own.
    await t.ctx.db.pool.query(`
      CREATE FUNCTION test_fail_password_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'provoked failure writing the password'; END $$;
      CREATE TRIGGER test_fail_password_write BEFORE UPDATE OF password_hash ON users
        FOR EACH ROW WHEN (OLD.email = '${user.email}') EXECUTE FUNCTION test_fail_password_write();`);
    try {
      const res = await adminAgent
        .post(recordUrl(user.id, 'edit'))
        .send({
          email: user.email,
          name: 'After',
          role: 'moderator',
          isActive: 'true',
          password: 'brand new password 1',
        });
      assert.notEqual(res.body?.notice?.type, 'success', `${res.status} ${res.text.slice(0, 200)}`);
    } finally {
      await t.ctx.db.pool.query(`
        DROP TRIGGER test_fail_password_write ON users;
        DROP FUNCTION test_fail_password_write();`);
    }
    const row = (await t.ctx.db.pool.query('SELECT name FROM users WHERE id = $1', [user.id])).rows[0];
    assert.equal(row.name, 'Before');
    await panelLogin(t.app, user);
  });

  test('when an admin deactivates a moderator, then they cannot sign in any more', async () => {
    const victim = await createUser(t.ctx, { role: 'moderator' });
    const res = await adminAgent.post(recordUrl(victim.id, 'deactivate')).send({}).expect(200);
    assert.equal(res.body.notice.type, 'success');
    assertNoSecrets(res);
    const login = await request(t.app)
      .post('/admin/login')
      .type('form')
      .send({ email: victim.email, password: victim.password });
    assert.equal(login.status, 401);
  });

  test('when the last active admin would be demoted, then the panel shows the refusal and nothing changes', async () => {
    const res = await adminAgent
      .post(recordUrl(admin.id, 'edit'))
      .send({ email: admin.email, name: admin.name, role: 'moderator', isActive: 'true' })
      .expect(200);
    assert.equal(res.body.notice.type, 'error');
    assert.match(res.body.notice.message, /last active admin/);
    const row = (await t.ctx.db.pool.query('SELECT role FROM users WHERE id = $1', [admin.id])).rows[0];
    assert.equal(row.role, 'admin');
  });

  test('when a moderator calls any Users action directly, then every one is refused and reveals nothing', async () => {
    const calls = [
      modAgent.get(`${API}/actions/list`),
      modAgent.get(`${API}/actions/search/${encodeURIComponent(admin.email)}`),
      modAgent.get(recordUrl(admin.id, 'show')),
      modAgent.get(recordUrl(admin.id, 'edit')),
      modAgent.post(recordUrl(mod.id, 'edit')).send({ role: 'admin' }),
      modAgent.post(recordUrl(admin.id, 'deactivate')).send({}),
      modAgent
        .post(`${API}/actions/new`)
        .send({ email: 'x@example.com', name: 'X', role: 'admin', password: 'a long enough password' }),
    ];
    for (const res of await Promise.all(calls)) {
      // Refused either by AdminJS's isAccessible check (an error notice) or, for record actions
      // whose record is loaded first, by the users service itself (403 JSON).
      if (res.status === 403) assert.equal(res.body.error.code, 'forbidden');
      else assert.equal(res.body.notice?.type, 'error', `${res.status} ${res.text.slice(0, 200)}`);
      assert.doesNotMatch(res.text, new RegExp(admin.email.replace(/[.]/g, '\\.')));
      assertNoSecrets(res);
    }
    const rows = await t.ctx.db.pool.query(
      "SELECT (SELECT role FROM users WHERE id = $1) AS mod_role, (SELECT is_active FROM users WHERE id = $2) AS admin_active, (SELECT count(*)::int FROM users WHERE email = 'x@example.com') AS created",
      [mod.id, admin.id],
    );
    assert.deepEqual(rows.rows[0], { mod_role: 'moderator', admin_active: true, created: 0 });
  });

  test('when a moderator loads the panel, then the Users resource is not offered', async () => {
    const page = await modAgent.get('/admin').expect(200);
    const state = JSON.parse(/window\.REDUX_STATE = (\{.*?\});?\n/s.exec(page.text)![1]!);
    const users = state.resources.find((r: { id: string }) => r.id === 'users');
    assert.equal(users.href, null);
    const adminPage = await adminAgent.get('/admin').expect(200);
    assert.match(adminPage.text, /"href":"\/admin\/resources\/users"/);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { CLI_ACTOR } from '../../src/auth/actor.js';
import { hashToken } from '../../src/auth/tokens.js';
import { deactivateUser } from '../../src/auth/users.service.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createUser, createUserWithToken } from '../helpers/factories.js';
import { login, validSubmission } from './auth-helpers.js';

const DAY = 86_400_000;

describe('API tokens: POST and DELETE /api/v1/auth/token', () => {
  let t: TestApp;
  const clock = new TestClock('2026-03-02T10:00:00.000Z');
  before(async () => {
    t = await createTestApp({ clock, env: { TOKEN_TTL_DAYS: '7', TRUST_PROXY: 'true' } });
  });
  after(() => t.close());

  test('when the credentials are right, then 200 with exactly token, token_type and expires_at = now + TOKEN_TTL_DAYS', async () => {
    const user = await createUser(t.ctx, { role: 'moderator' });
    const res = await login(t.app, user.email, user.password).expect(200);
    assert.deepEqual(Object.keys(res.body).sort(), ['expires_at', 'token', 'token_type']);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_at, new Date(clock.now().getTime() + 7 * DAY).toISOString());
    assert.match(res.body.token, /^cd_[A-Za-z0-9_-]{43}$/);
    assert.equal(res.headers['cache-control'], 'no-store');
    // Only the hash is stored; the token itself is nowhere in the database.
    const { rows } = await t.ctx.db.pool.query(
      'SELECT token_hash, user_id, expires_at FROM api_tokens WHERE user_id = $1',
      [user.id],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].token_hash, hashToken(res.body.token));
    assert.notEqual(rows[0].token_hash, res.body.token);
    const { rows: users } = await t.ctx.db.pool.query('SELECT last_login_at FROM users WHERE id = $1', [user.id]);
    assert.equal(users[0].last_login_at.toISOString(), clock.now().toISOString());
  });

  test('when the email differs only in case and has spaces around it, then the login still succeeds', async () => {
    const user = await createUser(t.ctx, { email: 'Mixed.Case@Example.com' });
    await login(t.app, '  mixed.case@EXAMPLE.com ', user.password).expect(200);
  });

  test('when the password is wrong, the email unknown, the user inactive or without password, then the same 401 body', async () => {
    const active = await createUser(t.ctx);
    const inactive = await createUser(t.ctx, { isActive: false });
    const noPassword = await t.ctx.db.prisma.user.create({
      data: { email: 'nopass@example.com', name: 'No Password', role: 'user' },
    });
    const bodies = [];
    for (const [email, password] of [
      [active.email, 'wrong password 123'],
      ['nobody-here@example.com', active.password],
      [inactive.email, inactive.password],
      [noPassword.email, ''.padEnd(12, 'x')],
    ] as const) {
      const res = await login(t.app, email, password, '198.51.100.7').expect(401);
      bodies.push(res.body);
    }
    for (const body of bodies) {
      assert.deepEqual(body, { error: { code: 'invalid_credentials', message: 'Invalid email or password' } });
    }
  });

  test('when the email holds a NUL or another control character, or the password a NUL, then 400 validation_error (not 500)', async () => {
    for (const email of ['a\u0000b@x.com', 'a\u0007b@x.com', 'a\u009bb@x.com']) {
      const res = await login(t.app, email, 'xxxxxxxxxxxxx').expect(400);
      assert.equal(res.body.error.code, 'validation_error');
      assert.deepEqual(res.body.error.fields.email, ['must not contain control characters']);
    }
    const user = await createUser(t.ctx);
    const res = await login(t.app, user.email, `${user.password}\u0000`).expect(400);
    assert.deepEqual(res.body.error.fields.password, ['must not contain NUL characters']);
  });

  test('when the body has an unknown field, lacks the password or is a form post, then 400 / 400 / 415', async () => {
    const res = await request(t.app)
      .post('/api/v1/auth/token')
      .send({ email: 'a@example.com', password: 'x', remember: true })
      .expect(400);
    assert.equal(res.body.error.code, 'validation_error');
    assert.deepEqual(res.body.error.fields.remember, ['unknown field']);
    const missing = await request(t.app).post('/api/v1/auth/token').send({ email: 'a@example.com' }).expect(400);
    assert.ok(missing.body.error.fields.password);
    await request(t.app).post('/api/v1/auth/token').type('form').send('email=a@example.com&password=x').expect(415);
  });

  test('when the token has expired, then it is refused with 401 and WWW-Authenticate: Bearer', async () => {
    const user = await createUser(t.ctx);
    const { body } = await login(t.app, user.email, user.password).expect(200);
    clock.set(new Date(new Date(body.expires_at).getTime() - 1000));
    await request(t.app)
      .post('/api/v1/contact/submit')
      .set('Authorization', `Bearer ${body.token}`)
      .send(validSubmission)
      .expect(201);
    clock.set(body.expires_at);
    const res = await request(t.app)
      .post('/api/v1/contact/submit')
      .set('Authorization', `Bearer ${body.token}`)
      .send(validSubmission)
      .expect(401);
    assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
    assert.equal(res.body.error.code, 'unauthenticated');
    const del = await request(t.app)
      .delete('/api/v1/auth/token')
      .set('Authorization', `Bearer ${body.token}`)
      .expect(401);
    assert.match(del.headers['www-authenticate'] ?? '', /^Bearer/);
    clock.set('2026-03-02T10:00:00.000Z');
  });

  test('when DELETE is called with a token, then exactly that token is revoked and the other keeps working', async () => {
    const user = await createUser(t.ctx);
    const first = (await login(t.app, user.email, user.password).expect(200)).body.token;
    const second = (await login(t.app, user.email, user.password).expect(200)).body.token;
    const res = await request(t.app).delete('/api/v1/auth/token').set('Authorization', `Bearer ${first}`).expect(204);
    assert.equal(res.text, '');
    await request(t.app).delete('/api/v1/auth/token').set('Authorization', `Bearer ${first}`).expect(401);
    await request(t.app)
      .post('/api/v1/contact/submit')
      .set('Authorization', `Bearer ${first}`)
      .send(validSubmission)
      .expect(401);
    await request(t.app)
      .post('/api/v1/contact/submit')
      .set('Authorization', `Bearer ${second}`)
      .send(validSubmission)
      .expect(201);
    const { rows } = await t.ctx.db.pool.query(
      'SELECT token_hash, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at, token_hash',
      [user.id],
    );
    const revoked = rows.filter((r) => r.revoked_at).map((r) => r.token_hash);
    assert.deepEqual(revoked, [hashToken(first)]);
  });

  test('when DELETE is called without a token or with a malformed header, then 401 with WWW-Authenticate', async () => {
    const res = await request(t.app).delete('/api/v1/auth/token').expect(401);
    assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
    await request(t.app).delete('/api/v1/auth/token').set('Authorization', 'Basic abc').expect(401);
  });

  test('when a valid Bearer token of any role submits the contact form, then the ticket is linked to that user', async () => {
    for (const role of ['user', 'moderator', 'admin'] as const) {
      const { user, auth } = await createUserWithToken(t.ctx, { role });
      const res = await request(t.app).post('/api/v1/contact/submit').set(auth).send(validSubmission).expect(201);
      const { rows } = await t.ctx.db.pool.query('SELECT user_id FROM contact_submissions WHERE id = $1', [
        res.body.id,
      ]);
      assert.equal(rows[0].user_id, user.id, role);
    }
  });

  test('when an invalid Bearer token submits the contact form, then 401 and no ticket is stored', async () => {
    const before = await t.ctx.db.pool.query('SELECT count(*)::int AS n FROM contact_submissions');
    const res = await request(t.app)
      .post('/api/v1/contact/submit')
      .set('Authorization', 'Bearer cd_not-a-real-token-at-all-0000000000000000')
      .send(validSubmission)
      .expect(401);
    assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
    const afterCount = await t.ctx.db.pool.query('SELECT count(*)::int AS n FROM contact_submissions');
    assert.equal(afterCount.rows[0].n, before.rows[0].n);
  });

  test('when a user is deactivated, then their token stops working and they cannot obtain a new one', async () => {
    const { user, auth } = await createUserWithToken(t.ctx);
    await deactivateUser(t.ctx, CLI_ACTOR, { userId: user.id }, { source: 'cli' });
    await request(t.app).post('/api/v1/contact/submit').set(auth).send(validSubmission).expect(401);
    await login(t.app, user.email, user.password, '198.51.100.8').expect(401);
  });
});

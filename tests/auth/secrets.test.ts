import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { CLI_ACTOR } from '../../src/auth/actor.js';
import { buildApp } from '../../src/app.js';
import { createUserAccount, setUserPassword, toUserJson } from '../../src/auth/users.service.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { captureLogger, validSubmission } from './auth-helpers.js';

describe('secrets never leave the server', () => {
  let t: TestApp;
  let app: Express;
  const log = captureLogger();
  before(async () => {
    // A clock that stands still: the throttle's 1 s block must not expire between attempts on a
    // slow machine (argon2 per attempt), or the last attempt is a 401 instead of the 429 checked.
    t = await createTestApp({ env: { TRUST_PROXY: 'true' }, clock: new TestClock('2026-06-01T12:00:00Z') });
    // Rebuild the app on a logger that records everything, unredacted, at trace level.
    t.ctx.logger = log.logger;
    app = await buildApp(t.ctx);
  });
  after(() => t.close());

  test('when users sign in, use, fail and revoke tokens, then no response body or log line holds a password, hash or token hash', async () => {
    const password = 'secret password of the admin';
    const newPassword = 'the replacement password 42';
    const admin = await createUserAccount(
      t.ctx,
      CLI_ACTOR,
      { email: 'admin@example.com', name: 'Admin', role: 'admin', password },
      { source: 'cli' },
    );
    const bodies: string[] = [JSON.stringify(toUserJson(admin))];
    const record = (res: request.Response) => {
      bodies.push(res.text ?? '');
      return res;
    };

    const issued = record(
      await request(app).post('/api/v1/auth/token').send({ email: 'admin@example.com', password }).expect(200),
    );
    const auth = { Authorization: `Bearer ${issued.body.token}` };
    record(await request(app).post('/api/v1/contact/submit').set(auth).send(validSubmission).expect(201));
    record(
      await request(app)
        .post('/api/v1/auth/token')
        .set('X-Forwarded-For', '192.0.2.50')
        .send({ email: 'admin@example.com', password: newPassword })
        .expect(401),
    );
    for (let i = 0; i < 7; i++) {
      record(
        await request(app)
          .post('/api/v1/auth/token')
          .set('X-Forwarded-For', `192.0.2.${60 + i}`)
          .send({ email: 'admin@example.com', password: `wrong guess ${i} padded` }),
      );
    }
    assert.equal(bodies.at(-1)!.includes('too_many_attempts'), true);
    record(await request(app).delete('/api/v1/auth/token').set(auth).expect(204));
    record(await request(app).delete('/api/v1/auth/token').set(auth).expect(401));
    await setUserPassword(t.ctx, CLI_ACTOR, { email: 'admin@example.com', password: newPassword }, { source: 'cli' });

    const { rows: users } = await t.ctx.db.pool.query<{ password_hash: string }>('SELECT password_hash FROM users');
    const { rows: tokens } = await t.ctx.db.pool.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    const secrets = [
      ...users.map((u) => u.password_hash),
      ...tokens.map((tk) => tk.token_hash),
      password,
      newPassword,
      // The salt+hash part alone, in case something logs it re-encoded.
      ...users.map((u) => u.password_hash.split('$').at(-1)!),
    ];
    assert.ok(users.length >= 1 && tokens.length >= 1);
    const logText = log.text();
    assert.match(logText, /"url":"\/api\/v1\/auth\/token"/, 'the capture really holds the request log');
    for (const secret of secrets) {
      for (const body of bodies)
        assert.equal(body.includes(secret), false, `response body leaks ${secret.slice(0, 12)}…`);
      assert.equal(logText.includes(secret), false, `log leaks ${secret.slice(0, 12)}…`);
    }
    // The issued token itself appears once, in its own response, and never in the log.
    assert.equal(logText.includes(issued.body.token), false);
  });
});

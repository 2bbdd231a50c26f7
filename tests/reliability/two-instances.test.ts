// Two app instances and two workers on one database, as a load-balanced deployment runs them:
// a panel session or API token made on one instance works on the other, rate limits are shared
// (they are counted in PostgreSQL), and each mail job runs exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mountAdmin } from '../../admin/index.js';
import { TestClock } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import {
  assertEveryMailOnce,
  call,
  startLiveApp,
  startLiveWorker,
  submission,
  type LiveApp,
  type LiveWorker,
} from '../helpers/reliability.js';
import { startCountingSink, type CountingSink } from '../helpers/reliability-smtp.js';

const LIST = '/admin/api/resources/tickets/actions/list';
const ENV = { RATE_LIMIT_PER_MINUTE: '3', ADMIN_NOTIFY_EMAILS: 'alerts@contactdesk.test' };

describe('reliability: two app instances and two workers on one database', () => {
  let database: TestDatabase;
  let sink: CountingSink;
  // One clock for both instances: the rate-limit window cannot roll over in the middle of a test.
  const clock = new TestClock('2026-03-02T10:00:20Z');
  let a: LiveApp;
  let b: LiveApp;
  const workers: LiveWorker[] = [];
  const sentBy = [0, 0];
  let moderator: TestUser;
  before(async () => {
    database = await createTestDatabase();
    sink = await startCountingSink();
    const env = { ...ENV, SMTP_URL: sink.url };
    a = await startLiveApp({ databaseUrl: database.url, env, clock, build: { mountAdmin } });
    b = await startLiveApp({ databaseUrl: database.url, env, clock, build: { mountAdmin } });
    for (const i of [0, 1]) {
      workers.push(
        await startLiveWorker(
          { databaseUrl: database.url, env },
          { concurrency: 2, hooks: { afterSent: async () => void sentBy[i]!++ } },
        ),
      );
    }
    moderator = await createUser(a.ctx, { role: 'moderator' });
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await a?.close();
    await b?.close();
    await sink?.stop();
    await database?.drop();
  });

  test('when a moderator signs in to the panel on instance A, then the session cookie works on instance B, and signing out on B ends it on A', async () => {
    const login = await call(a.url, 'POST', '/admin/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: moderator.email, password: moderator.password }).toString(),
    });
    assert.equal(login.status, 302);
    const cookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith('contactdesk.sid='))
      ?.split(';')[0];
    assert.ok(cookie, 'login set a session cookie');

    assert.equal((await call(b.url, 'GET', LIST)).status, 302, 'B without the cookie sends to the login page');
    const onB = await call(b.url, 'GET', LIST, { headers: { cookie } });
    assert.equal(onB.status, 200);
    assert.ok(Array.isArray((onB.body as { records: unknown[] }).records));

    const logout = await call(b.url, 'POST', '/admin/logout', { headers: { cookie } });
    assert.ok([200, 302].includes(logout.status), `logout answered ${logout.status}`);
    assert.equal((await call(a.url, 'GET', LIST, { headers: { cookie } })).status, 302, 'A no longer knows it');
  });

  test('when a token is issued on A, then it works on B, and revoking it on B makes A refuse it', async () => {
    const issued = await call(a.url, 'POST', '/api/v1/auth/token', {
      json: { email: moderator.email, password: moderator.password },
    });
    assert.equal(issued.status, 200, issued.text);
    const auth = { authorization: `Bearer ${(issued.body as { token: string }).token}` };
    assert.equal((await call(b.url, 'GET', '/api/v1/contact/', { headers: auth })).status, 200);
    assert.equal((await call(a.url, 'GET', '/api/v1/contact/', { headers: auth })).status, 200);
    assert.equal((await call(b.url, 'DELETE', '/api/v1/auth/token', { headers: auth })).status, 204);
    const refused = await call(a.url, 'GET', '/api/v1/contact/', { headers: auth });
    assert.equal(refused.status, 401);
  });

  test('when one client submits twice on A and twice on B with a limit of 3 per minute, then the fourth is refused with 429', async () => {
    const statuses: number[] = [];
    for (const [i, app] of [a, a, b, b].entries()) {
      statuses.push((await call(app.url, 'POST', '/api/v1/contact/submit', { json: submission(i, 'limit') })).status);
    }
    assert.deepEqual(statuses, [201, 201, 201, 429]);
    // The refused request did not count against the other instance's view either.
    assert.equal((await call(a.url, 'POST', '/api/v1/contact/submit', { json: submission(9, 'limit') })).status, 429);
  });

  test('when tickets are submitted and resolved through both instances, then both workers share the jobs and every mail is sent exactly once', async () => {
    const issued = await call(b.url, 'POST', '/api/v1/auth/token', {
      json: { email: moderator.email, password: moderator.password },
    });
    const auth = { authorization: `Bearer ${(issued.body as { token: string }).token}` };
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      // Three per minute per IP: move the shared clock to the next window every three.
      if (i % 3 === 0) clock.advance(61_000);
      const res = await call([a, b][i % 2]!.url, 'POST', '/api/v1/contact/submit', { json: submission(i, 'pair') });
      assert.equal(res.status, 201, res.text);
      ids.push((res.body as { id: string }).id);
    }
    for (const [i, id] of ids.slice(0, 10).entries()) {
      const res = await call([b, a][i % 2]!.url, 'POST', `/api/v1/contact/${id}/mark-resolved`, {
        headers: auth,
        json: {},
      });
      assert.equal(res.status, 200, res.text);
    }
    // Earlier tests in this file submitted 3 tickets (2 mails each).
    const expected = (3 + 30) * 2 + 10;
    await assertEveryMailOnce(a.ctx, sink, expected, 60_000);
    const { rows } = await a.ctx.db.pool.query<{ attempts: number; n: number }>(
      `SELECT attempts, count(*)::int AS n FROM email_deliveries GROUP BY 1`,
    );
    assert.deepEqual(rows, [{ attempts: 1, n: expected }], 'every delivery took exactly one attempt');
    assert.equal(sentBy[0]! + sentBy[1]!, expected);
    assert.ok(sentBy[0]! > 0 && sentBy[1]! > 0, `one worker did everything: ${sentBy.join(' / ')}`);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';

const SUBMIT = '/api/v1/contact/submit';
const valid = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Hello', message: 'Something broke' };

const submit = (t: TestApp, ip?: string) => {
  const req = request(t.app).post(SUBMIT);
  if (ip) req.set('X-Forwarded-For', ip);
  return req.send(valid);
};
const countRows = async (t: TestApp) =>
  Number((await t.ctx.db.pool.query('SELECT count(*) FROM contact_submissions')).rows[0].count);

function assertLimited(res: request.Response, expectedRetryAfter?: number) {
  assert.equal(res.status, 429);
  assert.equal(res.body.error.code, 'rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${res.headers['retry-after']}`);
  if (expectedRetryAfter !== undefined) assert.equal(retryAfter, expectedRetryAfter);
}

describe('per-IP limit per minute', () => {
  let t: TestApp;
  // 10 s into a minute: the window ends 50 s later.
  const clock = new TestClock('2026-03-10T10:00:10.000Z');
  before(async () => {
    t = await createTestApp({ clock, env: { RATE_LIMIT_PER_MINUTE: '2' } });
  });
  after(() => t.close());

  test('when a third submission comes within the minute, then 429 with Retry-After and no row', async () => {
    await submit(t).expect(201);
    await submit(t).expect(201);
    const rows = await countRows(t);
    assertLimited(await submit(t), 50);
    assert.equal(await countRows(t), rows);
  });

  test('when the minute is over, then the same IP may submit again', async () => {
    clock.advance(50_000);
    await submit(t).expect(201);
  });
});

describe('per-IP limit per hour', () => {
  let t: TestApp;
  const clock = new TestClock('2026-03-10T10:15:00.000Z');
  before(async () => {
    t = await createTestApp({ clock, env: { RATE_LIMIT_PER_MINUTE: '100', RATE_LIMIT_PER_HOUR: '3' } });
  });
  after(() => t.close());

  test('when the hourly count is used up across several minutes, then 429 until the hour ends', async () => {
    for (let i = 0; i < 3; i++) {
      await submit(t).expect(201);
      clock.advance(5 * 60_000);
    }
    // 10:30 now: the hour window ends at 11:00.
    assertLimited(await submit(t), 30 * 60);
    clock.set('2026-03-10T11:00:00.000Z');
    await submit(t).expect(201);
  });
});

describe('site-wide hourly cap', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      env: {
        TRUST_PROXY: 'true',
        RATE_LIMIT_PER_MINUTE: '100',
        RATE_LIMIT_PER_HOUR: '100',
        RATE_LIMIT_SITE_PER_HOUR: '3',
      },
    });
  });
  after(() => t.close());

  test('when different IPs together pass the cap, then the next one is refused whatever its IP', async () => {
    await submit(t, '198.51.100.1').expect(201);
    await submit(t, '198.51.100.2').expect(201);
    await submit(t, '198.51.100.3').expect(201);
    assertLimited(await submit(t, '198.51.100.4'));
  });
});

describe('site-wide cap and a flooding client', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      env: {
        TRUST_PROXY: 'true',
        RATE_LIMIT_PER_MINUTE: '1',
        RATE_LIMIT_PER_HOUR: '100',
        RATE_LIMIT_SITE_PER_HOUR: '3',
      },
    });
  });
  after(() => t.close());

  test('when one IP keeps going after its own limit, then its refused requests do not use up the site-wide cap', async () => {
    await submit(t, '192.0.2.66').expect(201);
    for (let i = 0; i < 5; i++) assertLimited(await submit(t, '192.0.2.66'));
    await submit(t, '192.0.2.1').expect(201);
    await submit(t, '192.0.2.2').expect(201);
    assertLimited(await submit(t, '192.0.2.3'));
  });
});

describe('client IP and TRUST_PROXY', () => {
  test('when TRUST_PROXY=true, then X-Forwarded-For is the client: each address has its own limit and is stored', async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '1' } });
    try {
      const first = await submit(t, '203.0.113.7').expect(201);
      await submit(t, '203.0.113.8').expect(201);
      assertLimited(await submit(t, '203.0.113.7'));
      const { rows } = await t.ctx.db.pool.query(
        'SELECT host(ip_address) AS ip FROM contact_submissions WHERE id = $1',
        [first.body.id],
      );
      assert.equal(rows[0].ip, '203.0.113.7');
    } finally {
      await t.close();
    }
  });

  test('when TRUST_PROXY=false, then X-Forwarded-For is ignored: changing it does not escape the limit', async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: 'false', RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const first = await submit(t, '203.0.113.1').expect(201);
      await submit(t, '203.0.113.2').expect(201);
      assertLimited(await submit(t, '203.0.113.3'));
      const { rows } = await t.ctx.db.pool.query(
        'SELECT host(ip_address) AS ip FROM contact_submissions WHERE id = $1',
        [first.body.id],
      );
      assert.notEqual(rows[0].ip, '203.0.113.1');
      assert.match(rows[0].ip, /127\.0\.0\.1|::1/);
    } finally {
      await t.close();
    }
  });

  test('when a client prepends made-up addresses to X-Forwarded-For, then the one our proxy added counts', async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const first = await submit(t, '6.6.6.1, 203.0.113.9').expect(201);
      await submit(t, '6.6.6.2, 203.0.113.9').expect(201);
      assertLimited(await submit(t, '6.6.6.3, 203.0.113.9'));
      const { rows } = await t.ctx.db.pool.query(
        'SELECT host(ip_address) AS ip FROM contact_submissions WHERE id = $1',
        [first.body.id],
      );
      assert.equal(rows[0].ip, '203.0.113.9');
    } finally {
      await t.close();
    }
  });

  test('when X-Forwarded-For holds a port or junk, then the submission still succeeds with a valid address', async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    try {
      const cases: Array<[string, RegExp]> = [
        ['198.51.100.20:51234', /^198\.51\.100\.20$/],
        ['[2001:db8::7]:443', /^2001:db8::7$/],
        ['not-an-ip', /127\.0\.0\.1|::1/],
        ['unknown', /127\.0\.0\.1|::1/],
      ];
      for (const [xff, expected] of cases) {
        const res = await submit(t, xff);
        assert.equal(res.status, 201, `${xff}: ${JSON.stringify(res.body)}`);
        const { rows } = await t.ctx.db.pool.query(
          'SELECT host(ip_address) AS ip FROM contact_submissions WHERE id = $1',
          [res.body.id],
        );
        assert.match(rows[0].ip, expected, xff);
      }
    } finally {
      await t.close();
    }
  });

  test('when X-Forwarded-For holds an IPv6 address with a zone id, then the submission succeeds with the address without the zone', async () => {
    const t = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    try {
      const cases: Array<[string, string]> = [
        ['fe80::1%eth0', 'fe80::1'],
        ['[fe80::2%en0]:443', 'fe80::2'],
        ['fe80::3%', 'fe80::3'],
      ];
      for (const [xff, expected] of cases) {
        const res = await submit(t, xff);
        assert.equal(res.status, 201, `${xff}: ${JSON.stringify(res.body)}`);
        const { rows } = await t.ctx.db.pool.query(
          'SELECT host(ip_address) AS ip FROM contact_submissions WHERE id = $1',
          [res.body.id],
        );
        assert.equal(rows[0].ip, expected, xff);
      }
    } finally {
      await t.close();
    }
  });

  test('when RATE_LIMIT_ENABLED=false, then no limit applies', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '1' } });
    try {
      for (let i = 0; i < 4; i++) await submit(t).expect(201);
    } finally {
      await t.close();
    }
  });
});

describe('two app instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    const env = { RATE_LIMIT_PER_MINUTE: '2' };
    a = await createTestApp({ env });
    b = await createTestApp({ env, database: a.database });
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  test('when one client alternates between instances, then they share one count', async () => {
    await submit(a).expect(201);
    await submit(b).expect(201);
    assertLimited(await submit(a));
    assertLimited(await submit(b));
  });
});

// Per-address submit limits count an IPv6 client by its prefix (IPV6_PREFIX_LENGTH, default 64),
// and the client address comes from X-Forwarded-For only as far as TRUST_PROXY trusts it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import { limitBucket } from '../../src/shared/addresses.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const valid = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Hello', message: 'Something broke' };
const submit = (t: TestApp, xff?: string) => {
  const req = request(t.app).post('/api/v1/contact/submit');
  if (xff) req.set('X-Forwarded-For', xff);
  return req.send(valid);
};
const storedIp = async (t: TestApp, id: string) =>
  (await t.ctx.db.pool.query('SELECT host(ip_address) AS ip FROM contact_submissions WHERE id = $1', [id])).rows[0].ip;

async function withApp(env: Record<string, string>, fn: (t: TestApp) => Promise<void>) {
  const t = await createTestApp({ env });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

describe('limitBucket', () => {
  test('when addresses share a /64, then they share one bucket, whatever their spelling', () => {
    const a = limitBucket('2001:db8:1:2::1', 64);
    assert.equal(a, '2001:db8:1:2:0:0:0:0/64');
    assert.equal(limitBucket('2001:DB8:1:2:ffff:eeee:dddd:cccc', 64), a);
    assert.equal(limitBucket('2001:0db8:0001:0002:0:0:0:9', 64), a);
    assert.notEqual(limitBucket('2001:db8:1:3::1', 64), a);
  });

  test('when the prefix length is not a multiple of 16, then the bits after it are cleared', () => {
    assert.equal(limitBucket('2001:db8:abcd:ffff::1', 56), '2001:db8:abcd:ff00:0:0:0:0/56');
    assert.equal(limitBucket('2001:db8::1:2', 128), '2001:db8:0:0:0:0:1:2/128');
  });

  test('when the address is IPv4 or IPv4-mapped IPv6, then the bucket is the IPv4 address', () => {
    assert.equal(limitBucket('198.51.100.7', 64), '198.51.100.7');
    assert.equal(limitBucket('::ffff:198.51.100.7', 64), '198.51.100.7');
    assert.equal(limitBucket('::FFFF:198.51.100.8', 64), '198.51.100.8');
  });
});

describe('submit limits per IPv6 prefix', () => {
  test('when a second address of the same /64 submits after the first used the per-IP budget, then it gets 429; another /64 does not', () =>
    withApp({ TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '1' }, async (t) => {
      await submit(t, '2001:db8:1:2::1').expect(201);
      const refused = await submit(t, '2001:db8:1:2:aaaa:bbbb:cccc:dddd').expect(429);
      assert.equal(refused.body.error.code, 'rate_limited');
      await submit(t, '2001:db8:1:3::1').expect(201);
    }));

  test('when IPv4 addresses submit, then each still has its own budget', () =>
    withApp({ TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '1' }, async (t) => {
      await submit(t, '198.51.100.1').expect(201);
      await submit(t, '198.51.100.2').expect(201);
      await submit(t, '198.51.100.1').expect(429);
    }));

  test('when an IPv4-mapped IPv6 address submits, then it counts as (and is stored as) the IPv4 address', () =>
    withApp({ TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '1' }, async (t) => {
      const first = await submit(t, '::ffff:198.51.100.7').expect(201);
      assert.equal(await storedIp(t, first.body.id), '198.51.100.7');
      await submit(t, '198.51.100.7').expect(429);
      // Not one bucket for all mapped addresses (they share the ::ffff:0:0/96 prefix).
      await submit(t, '::ffff:198.51.100.8').expect(201);
    }));

  test('when one /64 rotates addresses, then it cannot use up the site-wide cap for everyone', () =>
    withApp(
      { TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_PER_HOUR: '100', RATE_LIMIT_SITE_PER_HOUR: '3' },
      async (t) => {
        await submit(t, '2001:db8:66:66::1').expect(201);
        for (let i = 2; i < 8; i++) await submit(t, `2001:db8:66:66::${i}`).expect(429);
        await submit(t, '2001:db8:77:77::1').expect(201);
        await submit(t, '203.0.113.50').expect(201);
      },
    ));

  test('when IPV6_PREFIX_LENGTH is set, then that prefix is the bucket (128: each address, 48: a whole site)', async () => {
    await withApp({ TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '1', IPV6_PREFIX_LENGTH: '128' }, async (t) => {
      await submit(t, '2001:db8:1:2::1').expect(201);
      await submit(t, '2001:db8:1:2::2').expect(201);
    });
    await withApp({ TRUST_PROXY: 'true', RATE_LIMIT_PER_MINUTE: '1', IPV6_PREFIX_LENGTH: '48' }, async (t) => {
      await submit(t, '2001:db8:1:2::1').expect(201);
      await submit(t, '2001:db8:1:3::1').expect(429);
    });
  });
});

// supertest connects from loopback, so the socket (the "proxy") is 127.0.0.1.
describe('X-Forwarded-For under TRUST_PROXY rules', () => {
  test('when TRUST_PROXY=loopback and the request comes from loopback, then X-Forwarded-For is the client', () =>
    withApp({ TRUST_PROXY: 'loopback' }, async (t) => {
      const res = await submit(t, '6.6.6.6, 203.0.113.5').expect(201);
      assert.equal(await storedIp(t, res.body.id), '203.0.113.5');
    }));

  test('when TRUST_PROXY lists other proxies only, then X-Forwarded-For from this socket is ignored', () =>
    withApp({ TRUST_PROXY: '10.0.0.0/8, fd00::/8', RATE_LIMIT_PER_MINUTE: '1' }, async (t) => {
      const res = await submit(t, '203.0.113.5').expect(201);
      assert.match(await storedIp(t, res.body.id), /^(127\.0\.0\.1|::1)$/);
      // A made-up header does not buy a fresh budget.
      await submit(t, '203.0.113.6').expect(429);
    }));

  test('when TRUST_PROXY names a chain of proxies, then every trusted hop is skipped from the right', () =>
    withApp({ TRUST_PROXY: 'loopback, 192.0.2.0/24' }, async (t) => {
      const through = await submit(t, '6.6.6.6, 198.51.100.9, 192.0.2.10').expect(201);
      assert.equal(await storedIp(t, through.body.id), '198.51.100.9');
    }));

  test('when TRUST_PROXY is a hop count, then that many proxies are trusted', () =>
    withApp({ TRUST_PROXY: '2' }, async (t) => {
      const res = await submit(t, '6.6.6.6, 198.51.100.9, 192.0.2.10').expect(201);
      assert.equal(await storedIp(t, res.body.id), '198.51.100.9');
    }));

  test('when TRUST_PROXY=true, then it still means one hop (the entry our proxy appended)', () =>
    withApp({ TRUST_PROXY: 'true' }, async (t) => {
      const res = await submit(t, '6.6.6.6, 198.51.100.9').expect(201);
      assert.equal(await storedIp(t, res.body.id), '198.51.100.9');
    }));

  test('when TRUST_PROXY is parsed, then true/false keep their meaning and bad values name the variable', () => {
    const parse = (v: string) => loadConfig({ TRUST_PROXY: v }).TRUST_PROXY;
    assert.equal(parse('true'), true);
    assert.equal(parse('1'), true);
    assert.equal(parse('no'), false);
    assert.equal(parse('0'), false);
    assert.equal(parse('3'), 3);
    assert.deepEqual(parse(' loopback , 10.0.0.0/8 '), ['loopback', '10.0.0.0/8']);
    assert.throws(() => parse('10.0.0.0/33'), /TRUST_PROXY/);
    assert.throws(() => parse('maybe'), /TRUST_PROXY/);
    assert.equal(loadConfig({}).IPV6_PREFIX_LENGTH, 64);
    assert.throws(() => loadConfig({ IPV6_PREFIX_LENGTH: '129' }), /IPV6_PREFIX_LENGTH/);
  });
});

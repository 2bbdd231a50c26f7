import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACCOUNT_POLICY, backoffMs, IP_POLICY } from '../../src/auth/login-throttle.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createUser } from '../helpers/factories.js';
import { login } from './auth-helpers.js';

const WRONG = 'definitely the wrong password';
const MINUTE = 60_000;

describe('login throttling', () => {
  let t: TestApp;
  const clock = new TestClock('2026-04-01T08:00:00.000Z');
  let ipSeq = 0;
  // A fresh address per use, so tests do not share per-IP counters.
  const freshIp = () => `203.0.113.${++ipSeq}`;
  before(async () => {
    t = await createTestApp({ clock, env: { TRUST_PROXY: 'true' } });
  });
  after(() => t.close());

  test('when the failures grow, then the delay doubles from 1 s and stops at the cap', () => {
    assert.deepEqual(
      [5, 6, 7, 8, 9].map((n) => backoffMs(n, ACCOUNT_POLICY)),
      [0, 1000, 2000, 4000, 8000],
    );
    assert.equal(backoffMs(50, ACCOUNT_POLICY), 15 * MINUTE);
    assert.equal(backoffMs(5000, ACCOUNT_POLICY), 15 * MINUTE);
    assert.equal(backoffMs(20, IP_POLICY), 0);
    assert.equal(backoffMs(500, IP_POLICY), 60 * MINUTE);
  });

  test('when an account has 6 failures from many IPs, then the next attempt is 429 with Retry-After, even with the right password', async () => {
    const user = await createUser(t.ctx);
    for (let i = 0; i < 6; i++) await login(t.app, user.email, WRONG, freshIp()).expect(401);
    const res = await login(t.app, user.email, WRONG, freshIp()).expect(429);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(res.body.error.code, 'too_many_attempts');
    // The right password does not get through a block: a block is not a password oracle.
    await login(t.app, user.email, user.password, freshIp()).expect(429);
  });

  test('when 30 wrong passwords for one account arrive at once, then only the free allowance reaches the password check', async () => {
    const user = await createUser(t.ctx);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => login(t.app, user.email, WRONG, freshIp()).then((res) => res.status)),
    );
    // Each attempt is counted before argon2 runs: the 6th sets the block, so exactly
    // freeFailures + 1 are checked (401) and every later one is refused unchecked (429).
    assert.equal(answers.filter((s) => s === 401).length, ACCOUNT_POLICY.freeFailures + 1, answers.join(','));
    assert.equal(answers.filter((s) => s === 429).length, 30 - ACCOUNT_POLICY.freeFailures - 1);
  });

  test('when 30 wrong passwords from one address arrive at once, then that address gets only its free allowance', async () => {
    const attacker = freshIp();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        login(t.app, `spray-${i}@example.com`, WRONG, attacker).then((r) => r.status),
      ),
    );
    assert.equal(answers.filter((s) => s === 401).length, IP_POLICY.freeFailures + 1, answers.join(','));
  });

  test('when the back-off has passed, then the real user signs in and the account counter starts over', async () => {
    const user = await createUser(t.ctx);
    for (let i = 0; i < 6; i++) await login(t.app, user.email, WRONG, freshIp()).expect(401);
    await login(t.app, user.email, user.password, freshIp()).expect(429);
    clock.advance(1000);
    await login(t.app, user.email, user.password, freshIp()).expect(200);
    // Success cleared the account's failures: five more mistakes are free again.
    for (let i = 0; i < 5; i++) await login(t.app, user.email, WRONG, freshIp()).expect(401);
    await login(t.app, user.email, user.password, freshIp()).expect(200);
  });

  test('when failures continue after each block, then each block doubles (1 s, 2 s, 4 s) and blocked attempts do not extend it', async () => {
    const user = await createUser(t.ctx);
    for (let i = 0; i < 6; i++) await login(t.app, user.email, WRONG, freshIp()).expect(401);
    for (const seconds of [1, 2, 4]) {
      const blocked = await login(t.app, user.email, WRONG, freshIp()).expect(429);
      assert.equal(blocked.headers['retry-after'], String(seconds));
      // Hammering while blocked is refused without counting.
      for (let i = 0; i < 3; i++) await login(t.app, user.email, WRONG, freshIp()).expect(429);
      clock.advance(seconds * 1000);
      await login(t.app, user.email, WRONG, freshIp()).expect(401);
    }
    const last = await login(t.app, user.email, WRONG, freshIp()).expect(429);
    assert.equal(last.headers['retry-after'], '8');
  });

  test('when an attacker keeps failing for hours, then the account block never exceeds 15 minutes', async () => {
    const user = await createUser(t.ctx);
    for (let i = 0; i < 30; i++) {
      const res = await login(t.app, user.email, WRONG, freshIp());
      if (res.status === 429) {
        assert.ok(Number(res.headers['retry-after']) <= 15 * 60, res.headers['retry-after']);
        clock.advance(Number(res.headers['retry-after']) * 1000);
      } else assert.equal(res.status, 401);
    }
    const blocked = await login(t.app, user.email, user.password, freshIp()).expect(429);
    assert.equal(blocked.headers['retry-after'], String(15 * 60));
    clock.advance(15 * MINUTE);
    await login(t.app, user.email, user.password, freshIp()).expect(200);
  });

  test('when the real user has signed in from an address before, then an attack on the account does not block them there', async () => {
    const user = await createUser(t.ctx);
    const home = freshIp();
    await login(t.app, user.email, user.password, home).expect(200);
    for (let i = 0; i < 8; i++) {
      const res = await login(t.app, user.email, WRONG, freshIp());
      assert.ok([401, 429].includes(res.status));
    }
    await login(t.app, user.email, user.password, freshIp()).expect(429);
    await login(t.app, user.email, user.password, home).expect(200);
  });

  test('when failures stop for the quiet period, then they are forgotten', async () => {
    const user = await createUser(t.ctx);
    for (let i = 0; i < 5; i++) await login(t.app, user.email, WRONG, freshIp()).expect(401);
    clock.advance(ACCOUNT_POLICY.resetAfterMs);
    // Without the reset this sixth failure would start a block.
    await login(t.app, user.email, WRONG, freshIp()).expect(401);
    await login(t.app, user.email, user.password, freshIp()).expect(200);
  });

  test('when one IP fails against 21 different accounts, then that IP is blocked but other IPs and the accounts are not', async () => {
    const attacker = freshIp();
    for (let i = 0; i < IP_POLICY.freeFailures + 1; i++) {
      await login(t.app, `victim-${i}@example.com`, WRONG, attacker).expect(401);
    }
    const user = await createUser(t.ctx);
    const blocked = await login(t.app, user.email, user.password, attacker).expect(429);
    assert.equal(blocked.headers['retry-after'], '1');
    await login(t.app, user.email, user.password, freshIp()).expect(200);
    await login(t.app, 'victim-0@example.com', WRONG, freshIp()).expect(401);
  });

  test('when an IP signs in to an account of its own, then its per-IP counter is not reset', async () => {
    const attacker = freshIp();
    const own = await createUser(t.ctx);
    for (let i = 0; i < IP_POLICY.freeFailures; i++) {
      await login(t.app, `target-${i}@example.com`, WRONG, attacker).expect(401);
    }
    await login(t.app, own.email, own.password, attacker).expect(200);
    await login(t.app, 'target-last@example.com', WRONG, attacker).expect(401);
    await login(t.app, 'target-more@example.com', WRONG, attacker).expect(429);
  });
});

// The per-address counters use the same bucket as the public form's limits: an IPv6 client is
// counted by its /64 (IPV6_PREFIX_LENGTH), since it can take a fresh address for every guess.
describe('login throttling per IPv6 prefix', () => {
  let t: TestApp;
  const clock = new TestClock('2026-04-02T08:00:00.000Z');
  before(async () => {
    t = await createTestApp({ clock, env: { TRUST_PROXY: 'true' } });
  });
  after(() => t.close());

  test('when one address of a /64 used up the per-address allowance, then another address of that /64 is blocked and another /64 is not', async () => {
    for (let i = 0; i < IP_POLICY.freeFailures + 1; i++) {
      await login(t.app, `v6-victim-${i}@example.com`, WRONG, '2001:db8:aa:1::1').expect(401);
    }
    await login(t.app, 'v6-victim-0@example.com', WRONG, '2001:db8:aa:1:ffff::2').expect(429);
    await login(t.app, 'v6-victim-0@example.com', WRONG, '2001:db8:aa:2::1').expect(401);
  });

  test('when IPv4 addresses fail, then each still has its own allowance', async () => {
    for (let i = 0; i < IP_POLICY.freeFailures + 1; i++) {
      await login(t.app, `v4-victim-${i}@example.com`, WRONG, '198.51.100.77').expect(401);
    }
    await login(t.app, 'v4-victim-0@example.com', WRONG, '198.51.100.78').expect(401);
    await login(t.app, 'v4-victim-0@example.com', WRONG, '::ffff:198.51.100.77').expect(429);
  });

  test('when the owner signed in from one address of a /64, then a new address of that /64 is still known during an attack', async () => {
    const user = await createUser(t.ctx);
    await login(t.app, user.email, user.password, '2001:db8:bb:1::10').expect(200);
    for (let i = 0; i < 8; i++) {
      const res = await login(t.app, user.email, WRONG, `2001:db8:cc:${i}::1`);
      assert.ok([401, 429].includes(res.status));
    }
    await login(t.app, user.email, user.password, '2001:db8:dd:1::1').expect(429);
    // Privacy addresses rotate inside the /64: the owner's next address is the same bucket.
    await login(t.app, user.email, user.password, '2001:db8:bb:1:1234:5678:9abc:def0').expect(200);
  });
});

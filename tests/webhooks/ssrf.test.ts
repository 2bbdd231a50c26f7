// The address rules of webhook requests as a table (IPv4, IPv6 and the IPv6 forms that carry an
// IPv4 address), the URL rules per environment, resolution of real names, and which secrets sign
// around a rotation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activeSecrets, ROTATION_GRACE_MS } from '../../src/webhooks/signing.js';
import { parseRetryAfter } from '../../src/webhooks/sender.js';
import {
  blockedReason,
  embeddedIPv4,
  resolveTarget,
  urlProblem,
  WebhookRefusedError,
} from '../../src/webhooks/ssrf.js';

const ADDRESSES: Array<[string, string | null]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', null],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'link-local'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.255', 'carrier-grade NAT'],
  ['100.128.0.1', null],
  ['0.0.0.0', 'this-network'],
  ['224.0.0.251', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['198.18.0.1', 'benchmarking'],
  ['8.8.8.8', null],
  ['93.184.216.34', null],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['2606:4700:4700::1111', null],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback'],
  ['0:0:0:0:0:ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::FFFF:A9FE:A9FE', 'IPv4-mapped link-local'],
  ['::ffff:8.8.8.8', null],
  ['::127.0.0.1', 'IPv4-mapped loopback'],
  ['64:ff9b::192.168.0.1', 'IPv4-mapped private'],
  ['64:ff9b::8.8.8.8', null],
  ['[::1]', 'loopback'],
  ['not-an-ip', 'not an IP address'],
];

describe('webhook address and URL rules', () => {
  test('when an address is checked, then every non-public range is named and public ones pass', () => {
    const got = ADDRESSES.map(([ip]) => [ip, blockedReason(ip)]);
    assert.deepEqual(got, ADDRESSES);
  });

  test('when an IPv6 address carries an IPv4 one, then it is extracted in each textual form', () => {
    assert.equal(embeddedIPv4('::ffff:c0a8:101'), '192.168.1.1');
    assert.equal(embeddedIPv4('::ffff:192.168.1.1'), '192.168.1.1');
    assert.equal(embeddedIPv4('2606:4700::1'), null);
    assert.equal(embeddedIPv4('::1'), null, 'the IPv6 loopback is not an IPv4-compatible address');
  });

  test('when a URL is checked, then production takes https only and no URL may carry credentials', () => {
    assert.equal(urlProblem('https://hooks.example.com/x', { production: true }), null);
    assert.equal(urlProblem('http://hooks.example.com/x', { production: true }), 'must be an https:// URL');
    assert.equal(urlProblem('http://hooks.example.com/x', { production: false }), null);
    assert.match(urlProblem('ftp://hooks.example.com/x', { production: false })!, /http:\/\/ or https:\/\//);
    assert.match(urlProblem('https://u:p@hooks.example.com/', { production: true })!, /user name or password/);
    assert.match(urlProblem('hooks.example.com', { production: true })!, /absolute URL/);
  });

  test('when a name resolves to loopback, then it is refused unless private addresses are allowed', async () => {
    await assert.rejects(
      resolveTarget('http://localhost:9/hook', { production: false, allowPrivate: false }),
      (err) =>
        err instanceof WebhookRefusedError && /localhost resolves to .* \((IPv4-mapped )?loopback\)/.test(err.message),
    );
    const allowed = await resolveTarget('http://localhost:9/hook', { production: false, allowPrivate: true });
    assert.equal(
      blockedReason(allowed.address),
      'loopback',
      'the address that will be connected to is the one checked',
    );
    await assert.rejects(
      resolveTarget('http://[::ffff:10.0.0.1]/hook', { production: false, allowPrivate: false }),
      WebhookRefusedError,
    );
    await assert.rejects(resolveTarget('http://example.com/', { production: true, allowPrivate: true }), /https/);
  });

  test('when a secret was rotated, then the previous one signs until its window ends', () => {
    const rotatedAt = new Date('2026-12-01T10:00:00Z');
    const s = {
      secret: 'whsec_new',
      previousSecret: 'whsec_old',
      previousSecretExpiresAt: new Date(rotatedAt.getTime() + ROTATION_GRACE_MS),
    };
    assert.deepEqual(activeSecrets(s, new Date('2026-12-02T09:59:59Z')), ['whsec_new', 'whsec_old']);
    assert.deepEqual(activeSecrets(s, new Date('2026-12-02T10:00:00Z')), ['whsec_new']);
    assert.deepEqual(activeSecrets({ ...s, previousSecret: null, previousSecretExpiresAt: null }, rotatedAt), [
      'whsec_new',
    ]);
  });

  test('when Retry-After is seconds or a date, then both are read as seconds', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120);
    assert.equal(parseRetryAfter('Tue, 01 Dec 2026 10:01:30 GMT', now), 90);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(parseRetryAfter(undefined, now), null);
  });
});

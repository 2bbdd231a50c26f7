// Permission matrix: every moderator endpoint × every kind of caller, through real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { issueToken, resolveBearerToken, revokeToken } from '../../src/auth/tokens.js';
import type { TicketStatus } from '../../src/contact/contact.schema.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createUserWithToken, type TestUser } from '../helpers/factories.js';
import { statusOf, ticketIn } from './moderator-fixtures.js';

type Caller = 'anonymous' | 'user' | 'moderator' | 'admin' | 'expired token' | 'revoked token';
const CALLERS: Caller[] = ['anonymous', 'user', 'moderator', 'admin', 'expired token', 'revoked token'];

interface Endpoint {
  name: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Path for a ticket id (fixed paths ignore it). */
  path: (id: string) => string;
  /** State the ticket must be in for an allowed caller to succeed. */
  needs: TicketStatus;
  body?: object;
  adminOnly?: boolean;
  ok: number;
}

const base = '/api/v1/contact';
const ENDPOINTS: Endpoint[] = [
  { name: 'GET /', method: 'get', path: () => `${base}/`, needs: 'pending', ok: 200 },
  { name: 'GET /stats/overview', method: 'get', path: () => `${base}/stats/overview`, needs: 'pending', ok: 200 },
  { name: 'GET /export.csv', method: 'get', path: () => `${base}/export.csv`, needs: 'pending', ok: 200 },
  { name: 'GET /:id', method: 'get', path: (id) => `${base}/${id}`, needs: 'pending', ok: 200 },
  { name: 'GET /:id/history', method: 'get', path: (id) => `${base}/${id}/history`, needs: 'pending', ok: 200 },
  {
    name: 'PATCH /:id',
    method: 'patch',
    path: (id) => `${base}/${id}`,
    needs: 'pending',
    body: { admin_notes: 'checked', status: 'in_progress' },
    ok: 200,
  },
  {
    name: 'POST /:id/assign-to-me',
    method: 'post',
    path: (id) => `${base}/${id}/assign-to-me`,
    needs: 'pending',
    ok: 200,
  },
  {
    name: 'POST /:id/mark-resolved',
    method: 'post',
    path: (id) => `${base}/${id}/mark-resolved`,
    needs: 'in_progress',
    body: { resolution_notes: 'fixed' },
    ok: 200,
  },
  { name: 'POST /:id/reopen', method: 'post', path: (id) => `${base}/${id}/reopen`, needs: 'resolved', ok: 200 },
  { name: 'POST /:id/archive', method: 'post', path: (id) => `${base}/${id}/archive`, needs: 'resolved', ok: 200 },
  { name: 'POST /:id/restore', method: 'post', path: (id) => `${base}/${id}/restore`, needs: 'archived', ok: 200 },
  { name: 'DELETE /:id', method: 'delete', path: (id) => `${base}/${id}`, needs: 'pending', adminOnly: true, ok: 204 },
];

function expected(e: Endpoint, caller: Caller): number {
  if (caller === 'anonymous' || caller === 'expired token' || caller === 'revoked token') return 401;
  if (caller === 'user') return 403;
  if (caller === 'moderator' && e.adminOnly) return 403;
  return e.ok;
}

describe('moderator endpoints × callers', () => {
  const clock = new TestClock('2026-03-02T10:00:00Z');
  let t: TestApp;
  let staff: TestUser;
  const headers = {} as Record<Caller, Record<string, string>>;
  const bodies: string[] = [];
  const secrets: string[] = [];

  before(async () => {
    t = await createTestApp({ clock });
    const mod = await createUserWithToken(t.ctx, { role: 'moderator' });
    const admin = await createUserWithToken(t.ctx, { role: 'admin' });
    const user = await createUserWithToken(t.ctx, { role: 'user' });
    staff = mod.user;
    headers.anonymous = {};
    headers.user = user.auth;
    headers.moderator = mod.auth;
    headers.admin = admin.auth;
    // Expired: issued 31 days ago (TOKEN_TTL_DAYS = 30), the clock then moved on to today.
    const old = await createUserWithToken(t.ctx, { role: 'admin' });
    clock.set('2026-01-30T10:00:00Z');
    const expired = await issueToken(t.ctx, old.user.id);
    clock.set('2026-03-02T10:00:00Z');
    headers['expired token'] = { Authorization: `Bearer ${expired.token}` };
    const revoked = await issueToken(t.ctx, old.user.id);
    const identity = await resolveBearerToken(t.ctx, revoked.token);
    await revokeToken(t.ctx, identity!.tokenId, { actorId: old.user.id, source: 'api' });
    headers['revoked token'] = { Authorization: `Bearer ${revoked.token}` };
    const { rows } = await t.ctx.db.pool.query(
      `SELECT password_hash AS h FROM users UNION ALL SELECT token_hash FROM api_tokens`,
    );
    secrets.push(...rows.map((r) => r.h as string));
  });
  after(() => t.close());

  for (const e of ENDPOINTS) {
    for (const caller of CALLERS) {
      const want = expected(e, caller);
      test(`when ${caller} calls ${e.name}, then the answer is ${want}`, async () => {
        const ticket = await ticketIn(t.ctx, staff, e.needs);
        const req = request(t.app)[e.method](e.path(ticket.id)).set(headers[caller]);
        const res = await (e.body ? req.send(e.body) : req);
        bodies.push(res.text);
        assert.equal(res.status, want, res.text);
        if (want === 401) {
          assert.match(String(res.headers['www-authenticate']), /^Bearer/);
          assert.equal(res.body.error.code, 'unauthenticated');
        }
        if (want === 403) assert.equal(res.body.error.code, 'forbidden');
        if (want >= 400) {
          // A refused call changes nothing.
          assert.equal(await statusOf(t.ctx, ticket.id), e.needs);
        }
      });
    }
  }

  test('when every matrix response is inspected, then none contains a password hash, a token hash or their column names', () => {
    assert.ok(bodies.length >= ENDPOINTS.length * CALLERS.length);
    assert.ok(secrets.length >= 6);
    for (const body of bodies) {
      assert.doesNotMatch(body, /password_hash|token_hash|passwordHash|tokenHash|\$argon2/);
      for (const secret of secrets) assert.ok(!body.includes(secret), 'a stored hash leaked into a response');
    }
  });
});

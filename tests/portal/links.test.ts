// Customer links and the page's guards, over HTTP against a real worker, SMTP sink and database:
// one 404 for every bad token (tampered, expired, revoked, deleted ticket, unknown), revocation
// by admins only, a retried mail reusing its link, the CSRF token, the per-link reply limit and
// the page's strict CSP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { customerLinkToken, ensureCustomerLink } from '../../src/portal/customer-links.js';
import { createUserWithToken } from '../helpers/factories.js';
import { mailTestEnv, waitForQueueDrained, type MailTestEnv } from '../mail/mail-setup.js';
import { API, submitWithLink } from './portal-setup.js';

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const tokenOf = (path: string) => path.slice('/t/'.length);

describe('customer links: signed, expiring, revocable', () => {
  let env: MailTestEnv;
  let admin: Awaited<ReturnType<typeof createUserWithToken>>;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  let notFoundPage: string;

  before(async () => {
    env = await mailTestEnv({ env: { PORTAL_REPLIES_PER_HOUR: '2', CUSTOMER_LINK_DAYS: '30' } });
    admin = await createUserWithToken(env.ctx, { role: 'admin' });
    mod = await createUserWithToken(env.ctx, { role: 'moderator' });
    notFoundPage = (
      await request(env.t.app)
        .get(`/t/${'A'.repeat(43)}`)
        .expect(404)
    ).text;
  });
  after(() => env.close());

  test('when the mailed link is opened, then the page shows the ticket with a strict CSP, no caching and no referrer', async () => {
    const { ticket, path } = await submitWithLink(env);
    const res = await request(env.t.app).get(path).expect(200);
    assert.ok(res.text.includes(ticket.ticket_number));
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp, /https:|unsafe-inline/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    // Nothing the page loads: no script, no external stylesheet, font or image.
    assert.doesNotMatch(res.text, /<script|<link|<img|@import|url\(/i);
    const { rows } = await env.ctx.db.pool.query(
      `SELECT expires_at - created_at AS ttl FROM customer_links WHERE ticket_id = $1`,
      [ticket.id],
    );
    assert.equal(rows.length, 1, 'one link for the one customer mail');
    assert.equal(rows[0].ttl.days, 30, 'expires after CUSTOMER_LINK_DAYS');
  });

  test('when a token is tampered with, then the answer is the same 404 page as for an unknown one', async () => {
    const { path } = await submitWithLink(env);
    const token = tokenOf(path);
    const flipped = `${token.slice(0, 10)}${token[10] === 'a' ? 'b' : 'a'}${token.slice(11)}`;
    const res = await request(env.t.app).get(`/t/${flipped}`).expect(404);
    assert.equal(res.text, notFoundPage);
    assert.equal(
      (
        await request(env.t.app)
          .get(`/t/${token.slice(0, 42)}`)
          .expect(404)
      ).text,
      notFoundPage,
    );
    assert.equal((await request(env.t.app).get(`${path}x`).expect(404)).text, notFoundPage);
  });

  test('when a link has expired, then it answers 404', async () => {
    const { ticket, path } = await submitWithLink(env);
    await env.ctx.db.pool.query(
      `UPDATE customer_links SET expires_at = now() - interval '1 second' WHERE ticket_id = $1`,
      [ticket.id],
    );
    assert.equal((await request(env.t.app).get(path).expect(404)).text, notFoundPage);
  });

  test('when an admin revokes the links, then they answer 404 (a moderator may not), and later mails carry a fresh one', async () => {
    const { ticket, email, path } = await submitWithLink(env);
    await request(env.t.app).post(`${API}/${ticket.id}/customer-links/revoke`).set(mod.auth).expect(403);
    await request(env.t.app).get(path).expect(200);
    const res = await request(env.t.app).post(`${API}/${ticket.id}/customer-links/revoke`).set(admin.auth).expect(200);
    assert.deepEqual(res.body, { revoked: 1 });
    assert.equal((await request(env.t.app).get(path).expect(404)).text, notFoundPage);
    await request(env.t.app)
      .post(`${API}/${ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'reply', body: 'Here is an update.' })
      .expect(201);
    await waitForQueueDrained(env.ctx);
    const reply = env.sink.to(email).find((m) => m.parsed.subject?.includes('Re:'))!;
    const fresh = /http:\/\/localhost:3000(\/t\/[A-Za-z0-9_-]{43})/.exec(reply.parsed.text!)![1]!;
    assert.notEqual(fresh, path);
    await request(env.t.app).get(fresh).expect(200);
    await request(env.t.app)
      .post(`${API}/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/customer-links/revoke`)
      .set(admin.auth)
      .expect(404);
  });

  test('when the ticket is deleted, then its link answers 404', async () => {
    const { ticket, path } = await submitWithLink(env);
    await request(env.t.app).delete(`${API}/${ticket.id}`).set(admin.auth).expect(204);
    assert.equal((await request(env.t.app).get(path).expect(404)).text, notFoundPage);
  });

  test('when a delivery is retried, then it carries the same link and no second row', async () => {
    const { ticket, path } = await submitWithLink(env);
    const { rows } = await env.ctx.db.pool.query(
      `SELECT id FROM email_deliveries WHERE ticket_id = $1 AND kind = 'contact_confirmation'`,
      [ticket.id],
    );
    const deliveryId = rows[0].id as string;
    assert.equal(`/t/${customerLinkToken(env.ctx.config, deliveryId, ticket.id)}`, path);
    const again = await ensureCustomerLink(env.ctx, deliveryId, ticket.id);
    assert.equal(new URL(again.page).pathname, path);
    const count = await env.ctx.db.pool.query(`SELECT count(*)::int AS n FROM customer_links WHERE ticket_id = $1`, [
      ticket.id,
    ]);
    assert.equal(count.rows[0].n, 1);
  });

  test('when a reply comes without the page token, then it is refused and nothing is written', async () => {
    const { ticket, path } = await submitWithLink(env);
    const res = await request(env.t.app)
      .post(`${path}/reply`)
      .type('form')
      .send({ body: 'forged', csrf: 'x' })
      .expect(403);
    assert.match(res.text, /reload the page/);
    await request(env.t.app).post(`${path}/solve`).type('form').send({}).expect(403);
    const { rows } = await env.ctx.db.pool.query(
      `SELECT (SELECT count(*)::int FROM ticket_messages WHERE ticket_id = $1) AS n,
         (SELECT status::text FROM contact_submissions WHERE id = $1) AS status`,
      [ticket.id],
    );
    assert.deepEqual(rows[0], { n: 0, status: 'pending' });
    // Another link's token does not fit either.
    const other = await submitWithLink(env);
    const otherCsrf = csrfOf((await request(env.t.app).get(other.path)).text);
    await request(env.t.app).post(`${path}/reply`).type('form').send({ body: 'x', csrf: otherCsrf }).expect(403);
  });

  test('when one link posts more replies than PORTAL_REPLIES_PER_HOUR, then the next one is refused with 429', async () => {
    const { ticket, path } = await submitWithLink(env);
    const csrf = csrfOf((await request(env.t.app).get(path)).text);
    for (const body of ['one', 'two']) {
      const res = await request(env.t.app).post(`${path}/reply`).type('form').send({ body, csrf }).expect(303);
      assert.equal(res.headers.location, `${path}?done=sent`);
    }
    const refused = await request(env.t.app)
      .post(`${path}/reply`)
      .type('form')
      .send({ body: 'three', csrf })
      .expect(429);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    const { rows } = await env.ctx.db.pool.query(
      `SELECT body_text, channel FROM ticket_messages WHERE ticket_id = $1 ORDER BY created_at`,
      [ticket.id],
    );
    assert.deepEqual(rows, [
      { body_text: 'one', channel: 'portal' },
      { body_text: 'two', channel: 'portal' },
    ]);
    // An empty reply is refused for what it is (before the limit is counted).
    await request(env.t.app).post(`${path}/reply`).type('form').send({ body: '   ', csrf }).expect(400);
  });
});

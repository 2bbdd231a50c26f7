// /api/v1/webhooks as a client sees it: admins only (403 for a moderator, 401 without a token),
// bad input answered 400 with field messages (never 500), https only in production, and the
// endpoint's life: change, deactivate (no deliveries queued), delete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { inPgTransaction } from '../../src/db/tx.js';
import type { AppError } from '../../src/errors.js';
import { queueWebhookEvents } from '../../src/webhooks/events.js';
import { createWebhookEndpoint } from '../../src/webhooks/service.js';
import { createUserWithToken } from '../helpers/factories.js';
import { HOOKS, webhookTestEnv, type WebhookTestEnv } from './webhook-setup.js';

describe('webhooks REST', () => {
  let env: WebhookTestEnv;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  before(async () => {
    env = await webhookTestEnv();
    mod = await createUserWithToken(env.ctx, { role: 'moderator' });
  });
  after(() => env.close());

  test('when no endpoint listens, then queueing events costs no query after the first look-up', async () => {
    const queries = await inPgTransaction(env.ctx.db, { actorId: null, source: 'system' }, async (client) => {
      const ticketId = randomUUID();
      assert.equal(await queueWebhookEvents(client, env.clock.now(), [{ type: 'ticket.created', ticketId }]), 0);
      // Count what the second call sends on this (real) connection.
      let n = 0;
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      const counted = client as unknown as { query?: (...args: unknown[]) => unknown };
      counted.query = (...args) => (n++, query(...args));
      try {
        const events = [
          { type: 'ticket.resolved' as const, ticketId },
          { type: 'ticket.created' as const, ticketId },
        ];
        assert.equal(await queueWebhookEvents(client, env.clock.now(), events), 0);
      } finally {
        delete counted.query; // the prototype's query again, before the connection goes back to the pool
      }
      return n;
    });
    assert.equal(queries, 0);
  });

  test('when someone other than an admin calls it, then 401 or 403 and nothing changes', async () => {
    await request(env.t.app).get(HOOKS).expect(401);
    await request(env.t.app).get(HOOKS).set(mod.auth).expect(403);
    await request(env.t.app).post(HOOKS).set(mod.auth).send({ url: 'http://127.0.0.1:1/x' }).expect(403);
    const { rows } = await env.ctx.db.pool.query('SELECT count(*)::int AS n FROM webhook_endpoints');
    assert.equal(rows[0].n, 0);
  });

  test('when the input is bad, then 400 names each field', async () => {
    const cases: Array<[object, string[]]> = [
      [{}, ['url']],
      [{ url: 'not a url' }, ['url']],
      [{ url: 'http://127.0.0.1:1/x', events: ['ticket.deleted'] }, ['events.0']],
      [{ url: 'http://127.0.0.1:1/x', events: [] }, ['events']],
      [{ url: 'http://127.0.0.1:1/x', active: 'yes' }, ['active']],
      [{ url: 'http://127.0.0.1:1/x', secret: 'whsec_mine' }, ['secret']],
    ];
    for (const [body, fields] of cases) {
      const res = await request(env.t.app).post(HOOKS).set(env.admin.auth).send(body).expect(400);
      assert.deepEqual(Object.keys(res.body.error.fields).sort(), fields, JSON.stringify(body));
    }
    await request(env.t.app).get(`${HOOKS}/not-a-uuid`).set(env.admin.auth).expect(400);
    await request(env.t.app).get(`${HOOKS}/00000000-0000-4000-8000-000000000000`).set(env.admin.auth).expect(404);
  });

  test('when NODE_ENV is production, then only https URLs are accepted', async () => {
    const production = { ...env.ctx, config: { ...env.ctx.config, isProduction: true } };
    await assert.rejects(
      createWebhookEndpoint(production, env.admin.user, { url: 'http://hooks.example.com/x' }),
      (err: AppError) => err.status === 400 && err.fields!.url![0] === 'must be an https:// URL',
    );
    const { endpoint } = await createWebhookEndpoint(production, env.admin.user, {
      url: 'https://hooks.example.com/x',
    });
    await request(env.t.app).delete(`${HOOKS}/${endpoint.id}`).set(env.admin.auth).expect(204);
  });

  test('when an endpoint is changed, deactivated and deleted, then it stops receiving and its log goes with it', async () => {
    const { id } = await env.register({ url: 'http://127.0.0.1:1/x', events: ['ticket.created'] });
    const changed = await request(env.t.app)
      .patch(`${HOOKS}/${id}`)
      .set(env.admin.auth)
      .send({ events: ['ticket.created', 'rating.created'], description: 'CRM' })
      .expect(200);
    assert.deepEqual([changed.body.events, changed.body.description], [['ticket.created', 'rating.created'], 'CRM']);
    await request(env.t.app).patch(`${HOOKS}/${id}`).set(env.admin.auth).send({}).expect(400);
    await request(env.t.app).patch(`${HOOKS}/${id}`).set(env.admin.auth).send({ active: false }).expect(200);
    const submit = () =>
      request(env.t.app)
        .post('/api/v1/contact/submit')
        .send({ name: 'Ann', email: 'ann@example.com', subject: 'Off', message: 'Hi.', category: 'general' })
        .expect(201);
    await submit();
    assert.equal((await env.deliveries(id)).length, 0, 'an inactive endpoint gets nothing queued');
    await request(env.t.app).patch(`${HOOKS}/${id}`).set(env.admin.auth).send({ active: true }).expect(200);
    await submit();
    assert.equal((await env.deliveries(id)).length, 1);
    const page = await request(env.t.app).get(`${HOOKS}/${id}/deliveries?limit=1000`).set(env.admin.auth).expect(400);
    assert.deepEqual(Object.keys(page.body.error.fields), ['limit']);
    await request(env.t.app).delete(`${HOOKS}/${id}`).set(env.admin.auth).expect(204);
    await request(env.t.app).get(`${HOOKS}/${id}/deliveries`).set(env.admin.auth).expect(404);
    const { rows } = await env.ctx.db.pool.query(
      'SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1',
      [id],
    );
    assert.equal(rows[0].n, 0);
  });
});

// Webhooks in the panel, logged in through the real login route: an admin registers an endpoint
// (the secret appears once, in the notice, never in a record), reads the delivery log and resends
// a delivery with the same webhook-id; a moderator is refused on every action's API route.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { dispatchEndpoint } from '../../src/webhooks/jobs.js';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createUser } from '../helpers/factories.js';
import { startReceiver, verify, type Receiver } from './webhook-setup.js';

const ENDPOINTS = '/admin/api/resources/webhook_endpoints';
const DELIVERIES = '/admin/api/resources/webhook_deliveries';

describe('panel webhooks', () => {
  let t: TestApp;
  let adminAgent: PanelAgent;
  let modAgent: PanelAgent;
  let receiver: Receiver;

  before(async () => {
    t = await createPanelTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
    adminAgent = await panelLogin(t.app, await createUser(t.ctx, { role: 'admin' }));
    modAgent = await panelLogin(t.app, await createUser(t.ctx, { role: 'moderator' }));
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.close();
    await t.close();
  });

  test('when an admin registers an endpoint and a delivery is resent, then the secret shows once and the resend carries the same webhook-id', async () => {
    const created = await adminAgent
      .post(`${ENDPOINTS}/actions/new`)
      .send({ url: receiver.url, events: 'ticket.created', active: 'true', includeInternalNotes: 'false' })
      .expect(200);
    assert.equal(created.body.notice.type, 'success');
    const secret = /whsec_[A-Za-z0-9+/=]+/.exec(created.body.notice.message)![0];
    assert.equal(JSON.stringify(created.body.record).includes(secret), false, 'the record never carries the secret');
    const id = created.body.record.params.id as string;
    const shown = await adminAgent.get(`${ENDPOINTS}/records/${id}/show`).expect(200);
    assert.equal(shown.text.includes('whsec_'), false);
    assert.equal(shown.body.record.params.events, 'ticket.created');

    await request(t.app)
      .post('/api/v1/contact/submit')
      .send({ name: 'Pat', email: 'pat@example.com', subject: 'Panel hook', message: 'Hi.', category: 'general' })
      .expect(201);
    await dispatchEndpoint(t.ctx, id);
    const log = await adminAgent.get(`${DELIVERIES}/actions/list?filters.endpointId=${id}`).expect(200);
    assert.equal(log.body.records.length, 1);
    const delivery = log.body.records[0].params;
    assert.deepEqual([delivery.status, delivery.responseStatus, delivery.attempts], ['delivered', 200, 1]);

    const resent = await adminAgent.post(`${DELIVERIES}/records/${delivery.id}/resend`).expect(200);
    assert.equal(resent.body.notice.type, 'success');
    await dispatchEndpoint(t.ctx, id);
    assert.equal(receiver.received.length, 2);
    assert.deepEqual(
      receiver.received.map((r) => r.headers['webhook-id']),
      [delivery.webhookId, delivery.webhookId],
    );
    for (const r of receiver.received) verify(secret, r);

    const bad = await adminAgent.post(`${ENDPOINTS}/actions/new`).send({ url: 'ftp://example.com/x' }).expect(200);
    assert.equal(bad.body.notice.type, 'error');
    assert.ok(bad.body.record.errors.url, 'the URL field carries the message');
  });

  test('when a moderator calls the webhook actions, then every one is refused', async () => {
    const { rows } = await t.ctx.db.pool.query<{ id: string }>('SELECT id FROM webhook_endpoints LIMIT 1');
    const id = rows[0]!.id;
    for (const [method, path] of [
      ['get', `${ENDPOINTS}/actions/list`],
      ['post', `${ENDPOINTS}/actions/new`],
      ['get', `${ENDPOINTS}/records/${id}/show`],
      ['post', `${ENDPOINTS}/records/${id}/rotateSecret`],
      ['post', `${ENDPOINTS}/records/${id}/delete`],
      ['get', `${DELIVERIES}/actions/list`],
    ] as const) {
      const res = await modAgent[method](path).send({ url: 'http://127.0.0.1:1/x' });
      // Refused by AdminJS's isAccessible check (an error notice) or, for record actions whose
      // record is loaded first, by the webhook service itself (403 JSON).
      if (res.status === 403) assert.equal(res.body.error.code, 'forbidden');
      else assert.equal(res.body.notice?.type, 'error', `${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(res.text.includes('127.0.0.1'), false, 'no endpoint data shown');
    }
    const { rows: after } = await t.ctx.db.pool.query('SELECT count(*)::int AS n FROM webhook_endpoints');
    assert.equal(after[0].n, 1, 'nothing was created');
  });
});

// Webhook delivery against real HTTP receivers on loopback, each request checked with the
// standardwebhooks library: through the real worker; a receiver that is down, then failing with
// Retry-After, then up gets the event once with the same webhook-id; a slow receiver times out and
// the retry delivers; a redirect is a failure and is not followed; a name resolving to loopback is
// refused when private addresses are not allowed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startWorker } from '../../src/jobs/worker.js';
import type { AppError } from '../../src/errors.js';
import { createWebhookEndpoint } from '../../src/webhooks/service.js';
import { webhookId } from '../../src/webhooks/signing.js';
import { dispatchEndpoint } from '../../src/webhooks/jobs.js';
import { waitUntil } from '../mail/mail-setup.js';
import {
  closedPort,
  HOOKS,
  startReceiver,
  verify,
  webhookTestEnv,
  type Json,
  type WebhookTestEnv,
} from './webhook-setup.js';

const SUBMIT = '/api/v1/contact/submit';
const form = (subject: string) => ({
  name: 'Rita Receiver',
  email: 'rita@example.com',
  subject,
  message: 'The parcel never arrived.',
  category: 'general',
});

describe('webhook delivery', () => {
  let env: WebhookTestEnv;
  before(async () => {
    env = await webhookTestEnv();
  });
  after(() => env.close());

  test('when a ticket is submitted, then the worker delivers ticket.created, signed so that Webhook.verify accepts it, and the log records it', async () => {
    const receiver = await startReceiver();
    const { id, secret } = await env.register({ url: receiver.url, events: ['ticket.created'] });
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const shown = await request(env.t.app).get(`${HOOKS}/${id}`).set(env.admin.auth).expect(200);
    assert.equal(shown.body.secret, undefined, 'the secret is shown once, at creation');

    const submitted = await request(env.t.app).post(SUBMIT).send(form('Worker path')).expect(201);
    const worker = await startWorker(env.ctx, { concurrency: 2, pollInterval: 50 });
    try {
      await waitUntil(async () => receiver.received.length >= 1, 'the receiver got the event');
      const rows = await waitUntil(async () => {
        const d = await env.deliveries(id);
        return d[0]?.status === 'delivered' && d;
      }, 'the delivery is recorded');
      const got = receiver.received[0]!;
      const verified = verify(secret, got) as Json;
      assert.equal(verified.type, 'ticket.created');
      assert.equal(got.headers['webhook-id'], webhookId(rows[0]!.event_id));
      assert.equal(got.headers['content-type'], 'application/json');
      const ticket = got.json.data.ticket;
      assert.equal(ticket.id, submitted.body.id);
      assert.equal(ticket.subject, 'Worker path');
      assert.equal(ticket.status, 'pending');
      assert.equal('ip_address' in ticket, false, 'no IP address in payloads');
      assert.equal('admin_notes' in ticket, false, 'no internal notes unless opted in');
      assert.deepEqual(
        [rows.length, rows[0]!.attempts, rows[0]!.response_status, rows[0]!.response_body],
        [1, 1, 200, 'ok'],
      );
      assert.ok(rows[0]!.duration_ms >= 0);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  test('when the receiver is down, then answers 503 with Retry-After, then 200, then the event arrives once, with one webhook-id throughout', async () => {
    const port = await closedPort();
    const { id, secret } = await env.register({ url: `http://127.0.0.1:${port}/hook`, events: ['ticket.created'] });
    await request(env.t.app).post(SUBMIT).send(form('Down then up')).expect(201);

    assert.deepEqual(await env.dispatch(id), { delivered: 0, retrying: 1, failed: 0, disabled: false });
    let row = await env.newest(id);
    assert.equal(row.status, 'pending');
    assert.match(row.last_error, /ECONNREFUSED/);
    assert.equal(
      new Date(row.next_attempt_at).getTime() - new Date(row.last_attempt_at).getTime(),
      5000,
      'first retry after 5 s',
    );
    assert.equal((await env.dispatch(id)).retrying, 0, 'nothing is due before the back-off has passed');

    const receiver = await startReceiver({ port });
    receiver.answer = (_req, n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '42' }, body: 'busy' } : { status: 200, body: 'thanks' };
    try {
      env.clock.advance(5_000);
      assert.equal((await env.dispatch(id)).retrying, 1);
      row = await env.newest(id);
      assert.deepEqual([row.status, row.response_status, row.response_body], ['pending', 503, 'busy']);
      assert.equal(
        new Date(row.next_attempt_at).getTime() - new Date(row.last_attempt_at).getTime(),
        42_000,
        'Retry-After honoured',
      );

      env.clock.advance(42_000);
      assert.equal((await env.dispatch(id)).delivered, 1);
      assert.equal((await env.dispatch(id)).delivered, 0, 'a delivered event is not sent again');
      row = await env.newest(id);
      assert.deepEqual([row.status, row.attempts], ['delivered', 3]);
      assert.equal(receiver.received.length, 2, 'one failed attempt that reached it, one delivery');
      const ids = receiver.received.map((r) => r.headers['webhook-id']);
      assert.deepEqual(ids, [row.webhook_id, row.webhook_id]);
      for (const r of receiver.received) verify(secret, r);
    } finally {
      await receiver.close();
    }
  });

  test('when the receiver answers slower than the timeout, then the attempt fails as a timeout and the retry delivers', async () => {
    const receiver = await startReceiver();
    receiver.answer = (_req, n) => (n === 1 ? { status: 200, delayMs: 1500 } : { status: 204 });
    try {
      const { id } = await env.register({ url: receiver.url, events: ['ticket.created'] });
      await request(env.t.app).post(SUBMIT).send(form('Slow receiver')).expect(201);
      assert.equal((await env.dispatch(id)).retrying, 1);
      let row = await env.newest(id);
      assert.match(row.last_error, /timed out after 400 ms/);
      env.clock.advance(5_000);
      assert.equal((await env.dispatch(id)).delivered, 1);
      row = await env.newest(id);
      assert.deepEqual([row.status, row.response_status, row.attempts], ['delivered', 204, 2]);
    } finally {
      await receiver.close();
    }
  });

  test('when the receiver redirects, then the redirect is not followed and the delivery fails for good', async () => {
    const target = await startReceiver();
    const receiver = await startReceiver();
    receiver.answer = () => ({ status: 302, headers: { location: target.url } });
    try {
      const { id } = await env.register({ url: receiver.url, events: ['ticket.created'] });
      await request(env.t.app).post(SUBMIT).send(form('Redirect')).expect(201);
      assert.deepEqual(await env.dispatch(id), { delivered: 0, retrying: 0, failed: 1, disabled: false });
      const row = await env.newest(id);
      assert.deepEqual([row.status, row.response_status], ['failed', 302]);
      assert.match(row.last_error, /redirect \(302\) not followed/);
      assert.equal(target.received.length, 0, 'nothing reached the redirect target');
    } finally {
      await receiver.close();
      await target.close();
    }
  });

  test('when private addresses are not allowed, then a loopback IP is refused on save and a name resolving to loopback is never contacted', async () => {
    const receiver = await startReceiver();
    const strict = { ...env.ctx, config: { ...env.ctx.config, WEBHOOK_ALLOW_PRIVATE: false } };
    try {
      const { id } = await env.register({
        url: receiver.url.replace('127.0.0.1', 'localhost'),
        events: ['ticket.created'],
      });
      for (const url of ['http://127.0.0.1:8080/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://10.1.2.3/hook']) {
        await assert.rejects(createWebhookEndpoint(strict, env.admin.user, { url }), (err: AppError) => {
          assert.equal(err.status, 400);
          assert.match(err.fields!.url![0]!, /must not point at a .*(loopback|private) address/);
          return true;
        });
      }
      await request(env.t.app).post(SUBMIT).send(form('SSRF')).expect(201);
      assert.equal((await dispatchEndpoint(strict, id)).failed, 1);
      const row = await env.newest(id);
      assert.equal(row.status, 'failed');
      assert.match(row.last_error, /localhost resolves to .*loopback.*refused/);
      assert.equal(receiver.received.length, 0);
    } finally {
      await receiver.close();
    }
  });
});

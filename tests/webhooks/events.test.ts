// What webhooks carry and when: the events of a ticket's life with the changed fields; internal
// notes only to an endpoint that opted in; a rolled-back change queues nothing; after a rotation
// both secrets verify for 24 hours and the old one no longer afterwards (test clock); an endpoint
// failing for a day is disabled and its admin gets a real email.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { WebhookVerificationError } from 'standardwebhooks';
import { lockTickets, applyChanges } from '../../src/contact/ticket-changes.js';
import { inPgTransaction } from '../../src/db/tx.js';
import { deliverEmail } from '../../src/mail/mail.service.js';
import { createMailTransport } from '../../src/mail/transport.js';
import { rateTicket } from '../../src/portal/ratings.js';
import { createUserWithToken } from '../helpers/factories.js';
import { startSmtpSink } from '../helpers/smtp.js';
import {
  closedPort,
  HOOKS,
  startReceiver,
  verify,
  webhookTestEnv,
  type Receiver,
  type WebhookTestEnv,
} from './webhook-setup.js';

const API = '/api/v1/contact';
const DAY = 86_400_000;

describe('webhook events', () => {
  let env: WebhookTestEnv;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  const receivers: Receiver[] = [];
  before(async () => {
    env = await webhookTestEnv();
    mod = await createUserWithToken(env.ctx, { role: 'moderator', name: 'Mo Moderator' });
  });
  after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await env.close();
  });
  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };
  const submit = async (subject: string) =>
    (
      await request(env.t.app)
        .post(`${API}/submit`)
        .send({
          name: 'Cleo Customer',
          email: 'cleo@example.com',
          subject,
          message: 'Hello there.',
          category: 'general',
        })
        .expect(201)
    ).body as { id: string };

  test('when a ticket is worked on, then open endpoints get its events with the changed fields, notes only where opted in', async () => {
    const [open, internal] = [await receiver(), await receiver()];
    const a = await env.register({ url: open.url });
    const b = await env.register({ url: internal.url, include_internal_notes: true });
    const ticket = await submit('Lifecycle');
    const post = (body: object) =>
      request(env.t.app).post(`${API}/${ticket.id}/messages`).set(mod.auth).send(body).expect(201);
    await post({ kind: 'note', body: 'Customer is a reseller.' });
    await post({ kind: 'reply', body: 'We are on it.' });
    await request(env.t.app).patch(`${API}/${ticket.id}`).set(mod.auth).send({ admin_notes: 'VIP' }).expect(200);
    await request(env.t.app).post(`${API}/${ticket.id}/mark-resolved`).set(mod.auth).send({}).expect(200);
    await rateTicket(env.ctx, ticket.id, { score: 'good' }, {});
    await env.dispatch(a.id);
    await env.dispatch(b.id);

    // Deliveries go out in parallel: no order is promised (payloads carry their timestamp).
    const types = (r: Receiver) =>
      r.received.map((x) => x.json.type + (x.json.data.message ? `:${x.json.data.message.kind}` : '')).sort();
    // The first reply takes the ticket in progress and assigns it: a ticket.updated of its own.
    assert.deepEqual(types(open), [
      'message.created:reply',
      'rating.created',
      'ticket.created',
      'ticket.resolved',
      'ticket.updated',
      'ticket.updated',
    ]);
    assert.deepEqual(types(internal), [
      'message.created:note',
      'message.created:reply',
      'rating.created',
      'ticket.created',
      'ticket.resolved',
      'ticket.updated',
      'ticket.updated',
      'ticket.updated',
    ]);
    for (const x of open.received) verify(a.secret, x);
    for (const x of internal.received) verify(b.secret, x);

    const updates = (r: Receiver) =>
      r.received.filter((x) => x.json.type === 'ticket.updated').map((x) => x.json.data.changes);
    const taken = updates(open).find((c) => c.status?.to === 'in_progress')!;
    assert.deepEqual(taken.status, { from: 'pending', to: 'in_progress' });
    assert.deepEqual(taken.assigned_to, { from: null, to: mod.user.id });
    const closing = updates(open).find((c) => c.status?.to === 'resolved')!;
    assert.deepEqual(Object.keys(closing).sort(), ['resolved_at', 'resolved_by', 'status']);
    const noted = updates(internal).find((c) => 'admin_notes' in c);
    assert.deepEqual(
      noted,
      { admin_notes: { from: '', to: 'VIP' } },
      'a notes-only change goes to the opted-in endpoint only',
    );
    const leaks = open.received.filter(
      (x) => 'admin_notes' in x.json.data.ticket || JSON.stringify(x.json).includes('reseller'),
    );
    assert.equal(leaks.length, 0, 'no internal note reaches the endpoint that did not opt in');
    const rated = (r: Receiver) => r.received.find((x) => x.json.type === 'rating.created')!.json.data;
    assert.equal(rated(internal).ticket.admin_notes, 'VIP');
    assert.equal(rated(open).rating.score, 'good');
    const resolved = open.received.find((x) => x.json.type === 'ticket.resolved')!;
    assert.equal(resolved.json.data.ticket.status, 'resolved');
  });

  test('when the change rolls back, then nothing was queued for it', async () => {
    const r = await receiver();
    const { id } = await env.register({ url: r.url, events: ['ticket.updated'] });
    const ticket = await submit('Rolled back');
    const count = async (c: { query: typeof env.ctx.db.pool.query }) =>
      (await c.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1`, [id])).rows[0].n;
    await assert.rejects(
      inPgTransaction(env.ctx.db, { actorId: mod.user.id, source: 'api' }, async (client) => {
        const [locked] = await lockTickets(client, [ticket.id]);
        await applyChanges(client, env.clock.now(), [{ ticket: locked!, set: { priority: 'high' } }]);
        assert.equal(await count(client), 1, 'queued inside the transaction');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await count(env.ctx.db.pool), 0);
    const jobs = await env.ctx.db.pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE key = $1`, [`webhook:${id}`]);
    assert.equal(jobs.rowCount, 0, 'no dispatch job either');
    assert.equal((await env.dispatch(id)).delivered, 0);
    assert.equal(r.received.length, 0);
  });

  test('when the secret is rotated, then both secrets verify for 24 hours, and after that only the new one', async () => {
    const [recent, old] = [await receiver(), await receiver()];
    const a = await env.register({ url: recent.url, events: ['ticket.created'] });
    const b = await env.register({ url: old.url, events: ['ticket.created'] });
    const realNow = Date.now();
    env.clock.set(new Date(realNow - 3_600_000));
    const rotatedA = await request(env.t.app).post(`${HOOKS}/${a.id}/rotate-secret`).set(env.admin.auth).expect(200);
    env.clock.set(new Date(realNow - DAY - 60_000));
    const rotatedB = await request(env.t.app).post(`${HOOKS}/${b.id}/rotate-secret`).set(env.admin.auth).expect(200);
    env.clock.set(new Date(realNow));
    assert.notEqual(rotatedA.body.secret, a.secret);
    assert.equal(rotatedA.body.previous_secret_expires_at, new Date(realNow - 3_600_000 + DAY).toISOString());
    await submit('Rotation');
    await env.dispatch(a.id);
    await env.dispatch(b.id);

    const [gotA, gotB] = [recent.received[0]!, old.received[0]!];
    assert.equal(gotA.headers['webhook-signature']!.split(' ').length, 2, 'two signatures inside the window');
    verify(rotatedA.body.secret, gotA);
    verify(a.secret, gotA);
    assert.equal(gotB.headers['webhook-signature']!.split(' ').length, 1);
    verify(rotatedB.body.secret, gotB);
    assert.throws(() => verify(b.secret, gotB), WebhookVerificationError);
  });

  test('when an endpoint has failed for a day, then it is disabled and the admin who registered it gets an email', async () => {
    const sink = await startSmtpSink();
    try {
      const url = `http://127.0.0.1:${await closedPort()}/down`;
      const { id } = await env.register({ url, events: ['ticket.created'] });
      await submit('Failing endpoint');
      assert.equal((await env.dispatch(id)).retrying, 1);
      env.clock.advance(DAY + 10_000);
      assert.deepEqual(await env.dispatch(id), { delivered: 0, retrying: 0, failed: 1, disabled: true });
      const shown = await request(env.t.app).get(`${HOOKS}/${id}`).set(env.admin.auth).expect(200);
      assert.deepEqual([shown.body.active, shown.body.disabled_reason], [false, 'every delivery failed for 24 hours']);

      const { rows } = await env.ctx.db.pool.query<{ id: string; recipient: string }>(
        `SELECT id, recipient FROM email_deliveries WHERE kind = 'webhook_disabled' AND webhook_endpoint_id = $1`,
        [id],
      );
      assert.deepEqual(
        rows.map((r) => r.recipient),
        ['ada@desk.test'],
      );
      const transport = createMailTransport({ ...env.ctx.config, SMTP_URL: sink.url }, env.ctx.logger);
      try {
        assert.equal(await deliverEmail(env.ctx, { transport }, rows[0]!.id, { attempt: 1, maxAttempts: 3 }), 'sent');
      } finally {
        transport.close();
      }
      const [mail] = await sink.waitFor(1);
      assert.equal(mail!.parsed.subject, 'Webhook endpoint disabled after a day of failed deliveries');
      assert.match(mail!.parsed.text!, new RegExp(`URL: +${url.replace(/[.]/g, '\\.')}`));
      await request(env.t.app).patch(`${HOOKS}/${id}`).set(env.admin.auth).send({ active: true }).expect(200);
      const back = await request(env.t.app).get(`${HOOKS}/${id}`).set(env.admin.auth).expect(200);
      assert.deepEqual([back.body.active, back.body.failing_since, back.body.disabled_at], [true, null, null]);
    } finally {
      await sink.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/auth/actor.js';
import { deleteTicket } from '../../src/contact/contact.service.js';
import { pgRunner } from '../../src/db/sql.js';
import { inPgTransaction } from '../../src/db/tx.js';
import { queueTicketMail, requeueFailedDelivery } from '../../src/mail/mail.queue.js';
import { deliverEmail } from '../../src/mail/mail.service.js';
import { createMailTransport } from '../../src/mail/transport.js';
import { createTicket, createUser } from '../helpers/factories.js';
import {
  deliveriesOf,
  makeJobsDueNow,
  mailTestEnv,
  queuedJobs,
  waitForQueueDrained,
  waitUntil,
  type MailTestEnv,
} from './mail-setup.js';

describe('email delivery: retries, failures and exactly-once', () => {
  let env: MailTestEnv;
  let admin: Actor;
  before(async () => {
    // No active admin and no ADMIN_NOTIFY_EMAILS: each submission queues only its confirmation.
    env = await mailTestEnv();
    admin = await createUser(env.ctx, { role: 'admin', isActive: false });
  });
  after(() => env.close());

  const jobOf = async (recipient: string) => (await queuedJobs(env.ctx)).find((j) => j.key?.endsWith(`:${recipient}`));
  const waitForFailedAttempt = (recipient: string, attempts: number) =>
    waitUntil(async () => {
      const job = await jobOf(recipient);
      return job && job.attempts === attempts && job.locked_by === null && job;
    }, `attempt ${attempts} for ${recipient} has failed and been released`);
  const settle = () => waitForQueueDrained(env.ctx);

  test('when the SMTP server is down, then the job is retried and the mail arrives once the server is back, exactly once', async () => {
    await env.sink.stop();
    try {
      const ticket = await createTicket(env.ctx, { email: 'outage@example.com' });
      await waitForFailedAttempt('outage@example.com', 1);
      const [row] = await deliveriesOf(env.ctx, ticket.id);
      assert.equal(row!.status, 'queued');
      assert.equal(row!.attempts, 1);
      assert.match(row!.last_error!, /ECONNREFUSED|connect/i);
    } finally {
      await env.sink.start();
    }
    await makeJobsDueNow(env.ctx);
    await env.sink.waitFor(1);
    await settle();
    assert.equal(env.sink.to('outage@example.com').length, 1);
    const [row] = await deliveriesOf(env.ctx, (await createdTicketId('outage@example.com'))!);
    assert.equal(row!.status, 'sent');
    assert.equal(row!.attempts, 2);
    assert.equal(row!.last_error, null);
  });

  test('when the server answers the message with a temporary error (451), then the retry delivers it once', async () => {
    env.sink.mode = 'reject';
    const ticket = await createTicket(env.ctx, { email: 'greylisted@example.com' });
    try {
      await waitForFailedAttempt('greylisted@example.com', 1);
      assert.match((await deliveriesOf(env.ctx, ticket.id))[0]!.last_error!, /451/);
      assert.equal(env.sink.to('greylisted@example.com').length, 0);
    } finally {
      env.sink.mode = 'accept';
    }
    await makeJobsDueNow(env.ctx);
    await waitUntil(async () => env.sink.to('greylisted@example.com').length > 0, 'the retry arrived');
    await settle();
    assert.equal(env.sink.to('greylisted@example.com').length, 1);
    const [row] = await deliveriesOf(env.ctx, ticket.id);
    assert.deepEqual([row!.status, row!.attempts], ['sent', 2]);
  });

  test('when every attempt fails, then after the last one the delivery says failed with the error', async () => {
    env.sink.mode = 'refuse';
    try {
      const ticket = await createTicket(env.ctx, { email: 'never@example.com' });
      // Two attempts instead of twelve, so the test does not wait out the back-off.
      await env.ctx.db.pool.query(
        `UPDATE graphile_worker._private_jobs SET max_attempts = 2 WHERE key = 'mail:contact_confirmation:' || $1 || ':never@example.com'`,
        [ticket.id],
      );
      await waitForFailedAttempt('never@example.com', 1);
      assert.equal((await deliveriesOf(env.ctx, ticket.id))[0]!.status, 'queued');
      await makeJobsDueNow(env.ctx);
      const row = await waitUntil(async () => {
        const [r] = await deliveriesOf(env.ctx, ticket.id);
        return r?.status === 'failed' && r;
      }, 'the delivery is marked failed');
      assert.equal(row.attempts, 2);
      assert.match(row.last_error!, /421/);
      assert.equal(env.sink.to('never@example.com').length, 0);
    } finally {
      env.sink.mode = 'accept';
    }
  });

  test('when a failed delivery is requeued, then it is sent once with a fresh attempt budget', async () => {
    const { rows } = await env.ctx.db.pool.query<{ id: string; ticket_id: string }>(
      `SELECT id, ticket_id FROM email_deliveries WHERE recipient = 'never@example.com' AND status = 'failed'`,
    );
    assert.equal(rows.length, 1, 'needs the failed delivery of the previous test');
    const requeue = () =>
      inPgTransaction(env.ctx.db, { actorId: admin.id, source: 'admin' }, (c) =>
        requeueFailedDelivery(pgRunner(c), rows[0]!.id),
      );
    assert.equal(await requeue(), true);
    await waitUntil(async () => env.sink.to('never@example.com').length === 1, 'the requeued mail arrived');
    const row = await waitUntil(async () => {
      const [r] = await deliveriesOf(env.ctx, rows[0]!.ticket_id);
      return r?.status === 'sent' && r;
    }, 'the delivery is recorded as sent');
    assert.equal(row.attempts, 3);
    assert.equal(await requeue(), false, 'a sent delivery is never requeued');
    await settle();
    assert.equal(env.sink.to('never@example.com').length, 1);
  });

  test('when the ticket is deleted before its mail goes out, then the delivery is failed with the reason and nothing is sent', async () => {
    env.sink.mode = 'refuse';
    let deliveryId: string;
    try {
      const ticket = await createTicket(env.ctx, { email: 'deleted@example.com' });
      deliveryId = (await deliveriesOf(env.ctx, ticket.id))[0]!.id;
      await waitForFailedAttempt('deleted@example.com', 1);
      await deleteTicket(env.ctx, { ...admin, role: 'admin' }, ticket.id, { source: 'api' });
    } finally {
      env.sink.mode = 'accept';
    }
    await makeJobsDueNow(env.ctx);
    await waitUntil(async () => !(await jobOf('deleted@example.com')), 'the job completed');
    const { rows } = await env.ctx.db.pool.query(
      `SELECT status::text, ticket_id, last_error FROM email_deliveries WHERE id = $1`,
      [deliveryId],
    );
    assert.equal(rows[0].status, 'failed');
    assert.equal(rows[0].ticket_id, null);
    assert.match(rows[0].last_error, /was deleted/);
    assert.equal(env.sink.to('deleted@example.com').length, 0);
  });

  test('when a job for an already sent delivery runs again, then it completes without sending a second copy', async () => {
    const ticket = await createTicket(env.ctx, { email: 'twice@example.com' });
    await waitUntil(async () => (await deliveriesOf(env.ctx, ticket.id))[0]?.status === 'sent', 'the mail was sent');
    const [row] = await deliveriesOf(env.ctx, ticket.id);
    await env.ctx.db.pool.query(
      `SELECT graphile_worker.add_job('contact_confirmation', json_build_object('deliveryId', $1::text))`,
      [row!.id],
    );
    await waitUntil(async () => {
      const { rows } = await env.ctx.db.pool.query(
        `SELECT 1 FROM graphile_worker._private_jobs WHERE payload->>'deliveryId' = $1`,
        [row!.id],
      );
      return rows.length === 0;
    }, 'the repeated job completed');
    const direct = await deliverEmail(
      env.ctx,
      { transport: createMailTransport(env.ctx.config, env.ctx.logger) },
      row!.id,
      { attempt: 1, maxAttempts: 12 },
    );
    assert.equal(direct, 'already_sent');
    await settle();
    assert.equal(env.sink.to('twice@example.com').length, 1);
    assert.equal((await deliveriesOf(env.ctx, ticket.id))[0]!.attempts, 1);
  });

  test('when the transaction that queued a mail rolls back, then neither a delivery row nor a job exists', async () => {
    const queueInsideTicketTransaction = (fail: boolean) =>
      inPgTransaction(env.ctx.db, { actorId: null, source: 'api' }, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, updated_at)
           VALUES (gen_random_uuid(), $1, 'Rollback', 'rollback@example.com', 's', 'm', now()) RETURNING id`,
          [`CONT-TEST-${fail ? 'RB' : 'OK'}`],
        );
        const queued = await queueTicketMail(pgRunner(client), {
          ticketId: rows[0]!.id,
          ticketNumber: `CONT-TEST-${fail ? 'RB' : 'OK'}`,
          kind: 'contact_confirmation',
          recipients: ['rollback@example.com'],
        });
        if (fail) throw Object.assign(new Error('boom after queueing'), { queued });
        return { id: rows[0]!.id, queued };
      });
    const err = await queueInsideTicketTransaction(true).catch((e: Error & { queued: number }) => e);
    assert.equal((err as { queued: number }).queued, 1, 'the job was queued inside the transaction');
    const { rows } = await env.ctx.db.pool.query(
      `SELECT (SELECT count(*) FROM email_deliveries WHERE ticket_number = 'CONT-TEST-RB')::int AS deliveries,
              (SELECT count(*) FROM graphile_worker.jobs WHERE key LIKE '%:rollback@example.com')::int AS jobs`,
    );
    assert.deepEqual(rows[0], { deliveries: 0, jobs: 0 });
    // The same code, committed: the row exists and the mail goes out (so the check above can fail).
    const ok = await queueInsideTicketTransaction(false);
    assert.equal(ok.queued, 1);
    await waitUntil(async () => env.sink.to('rollback@example.com').length === 1, 'the committed mail arrived');
  });

  async function createdTicketId(email: string): Promise<string | undefined> {
    const { rows } = await env.ctx.db.pool.query(`SELECT id FROM contact_submissions WHERE email = $1`, [email]);
    return rows[0]?.id;
  }
});

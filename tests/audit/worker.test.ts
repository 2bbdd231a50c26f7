// The worker path. Sending mail writes only email_deliveries (not audited as ticket changes), so:
// a real worker run leaves no ticket event but its outcome appears in the ticket's timeline; a
// failed delivery shows its error; and a ticket write made in the worker's write context is
// recorded with source 'worker' and no actor.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { getTicketHistory } from '../../src/audit/audit.service.js';
import { deleteTicket } from '../../src/contact/contact.service.js';
import { inTransaction } from '../../src/db/tx.js';
import { deliverEmail } from '../../src/mail/mail.service.js';
import { createMailTransport } from '../../src/mail/transport.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';
import { deliveriesOf, mailTestEnv, waitUntil, type MailTestEnv } from '../mail/mail-setup.js';
import { ticketEvents } from './audit-helpers.js';

type Entry = { type: string; kind?: string; status?: string; error?: string | null; at: string };

describe('audit: worker', () => {
  let env: MailTestEnv;
  let mod: TestUser;
  let admin: TestUser;
  before(async () => {
    env = await mailTestEnv();
    mod = await createUser(env.ctx, { role: 'moderator' });
    admin = await createUser(env.ctx, { role: 'admin' });
  });
  after(() => env.close());

  test('when the worker sends a ticket email, then no ticket event is added and the timeline shows it sent', async () => {
    const submitted = await request(env.t.app)
      .post('/api/v1/contact/submit')
      .send({ name: 'Wanda', email: 'wanda@example.com', subject: 'Hi', message: 'Hello there' })
      .expect(201);
    const ticketId: string = submitted.body.id;
    await waitUntil(
      async () => (await deliveriesOf(env.ctx, ticketId)).every((d) => d.status === 'sent'),
      'both emails are sent',
    );

    assert.deepEqual(
      (await ticketEvents(env.ctx, ticketId)).map((e) => `${e.operation}:${e.source}`),
      ['insert:api'],
    );
    const history = await getTicketHistory(env.ctx, mod, ticketId);
    const emails = history.entries.filter((e) => e.type === 'email') as Entry[];
    assert.deepEqual(emails.map((e) => `${e.kind}:${e.status}`).sort(), [
      'contact_admin_notification:queued',
      'contact_admin_notification:sent',
      'contact_confirmation:queued',
      'contact_confirmation:sent',
    ]);
    const sent = emails.find((e) => e.kind === 'contact_confirmation' && e.status === 'sent')!;
    const [row] = (await deliveriesOf(env.ctx, ticketId)).filter((d) => d.kind === 'contact_confirmation');
    assert.equal(sent.at, row!.sent_at!.toISOString());
    // Newest first: the sends come before (above) the insert they followed.
    assert.equal(history.entries.at(-1)!.type, 'change');
  });

  test('when the worker finds the ticket deleted, then the timeline shows the email failed with the reason', async () => {
    await env.worker!.stop();
    env.worker = undefined;
    const ticket = await createTicket(env.ctx, { email: 'gone@example.com' });
    await deleteTicket(env.ctx, admin, ticket.id, { source: 'api' });
    const { rows } = await env.ctx.db.pool.query<{ id: string }>(
      `SELECT id FROM email_deliveries WHERE ticket_number = $1 AND kind = 'contact_confirmation'`,
      [ticket.ticketNumber],
    );
    const transport = createMailTransport(env.ctx.config, env.ctx.logger);
    const outcome = await deliverEmail(env.ctx, { transport }, rows[0]!.id, { attempt: 1, maxAttempts: 12 });
    assert.equal(outcome, 'ticket_deleted');

    const history = await getTicketHistory(env.ctx, mod, ticket.id);
    assert.equal(history.deleted, true);
    const failed = history.entries.find((e) => e.type === 'email' && e.status === 'failed') as Entry | undefined;
    assert.ok(failed, 'a failed email entry');
    assert.equal(failed.kind, 'contact_confirmation');
    assert.match(failed.error!, /was deleted before this email could be sent/);
    assert.equal(history.entries[0], failed, 'the failure is the newest entry');
  });

  test("when a ticket is written in the worker's write context, then the event has source worker and no actor", async () => {
    const ticket = await createTicket(env.ctx);
    await inTransaction(env.ctx.db, { actorId: null, source: 'worker', requestId: 'job:42' }, (tx) =>
      tx.contactSubmission.update({ where: { id: ticket.id }, data: { status: 'archived' } }),
    );
    const event = (await ticketEvents(env.ctx, ticket.id)).at(-1)!;
    assert.equal(event.operation, 'update');
    assert.equal(event.source, 'worker');
    assert.equal(event.actor_id, null);
    assert.equal(event.request_id, 'job:42');
    assert.deepEqual(event.changed_fields, ['status']);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inPgTransaction, inTransaction } from '../../src/db/tx.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUser } from '../helpers/factories.js';
import { ticketEvents, userEvents } from './audit-helpers.js';

describe('audit: rolled-back changes', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when a raw pg transaction updates a ticket and then fails, then no event is left', async () => {
    const ticket = await createTicket(t.ctx);
    await assert.rejects(
      inPgTransaction(t.ctx.db, { actorId: null, source: 'system' }, async (client) => {
        await client.query(`UPDATE contact_submissions SET status = 'in_progress' WHERE id = $1`, [ticket.id]);
        throw new Error('boom after the update');
      }),
      /boom after the update/,
    );
    const events = await ticketEvents(t.ctx, ticket.id);
    assert.deepEqual(
      events.map((e) => e.operation),
      ['insert'],
    );
    const { rows } = await t.ctx.db.pool.query('SELECT status FROM contact_submissions WHERE id = $1', [ticket.id]);
    assert.equal(rows[0].status, 'pending');
  });

  test('when a Prisma transaction deletes a ticket and changes a user and then fails, then neither leaves an event', async () => {
    const ticket = await createTicket(t.ctx);
    const user = await createUser(t.ctx, { role: 'moderator' });
    await assert.rejects(
      inTransaction(t.ctx.db, { actorId: user.id, source: 'admin' }, async (tx) => {
        await tx.user.update({ where: { id: user.id }, data: { role: 'admin' } });
        await tx.contactSubmission.delete({ where: { id: ticket.id } });
        throw new Error('boom after the delete');
      }),
      /boom after the delete/,
    );
    assert.deepEqual(
      (await ticketEvents(t.ctx, ticket.id)).map((e) => e.operation),
      ['insert'],
    );
    assert.deepEqual(
      (await userEvents(t.ctx, user.id)).map((e) => e.operation),
      ['insert'],
    );
  });

  test('when a submit fails inside its transaction, then no insert event exists for it', async () => {
    const before = await t.ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM contact_submission_events');
    await assert.rejects(
      inPgTransaction(t.ctx.db, { actorId: null, source: 'api' }, async (client) => {
        await client.query(
          `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, updated_at)
           VALUES (gen_random_uuid(), 'ROLLBACK-1', 'n', 'e@example.com', 's', 'm', now())`,
        );
        // A second row with the same ticket number violates the unique key: the whole transaction fails.
        await client.query(
          `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, updated_at)
           VALUES (gen_random_uuid(), 'ROLLBACK-1', 'n', 'e@example.com', 's', 'm', now())`,
        );
      }),
      /duplicate key/,
    );
    const afterCount = await t.ctx.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM contact_submission_events',
    );
    assert.equal(afterCount.rows[0]!.n, before.rows[0]!.n);
  });
});

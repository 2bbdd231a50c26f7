import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUser } from '../helpers/factories.js';
import { ticketEvents, userEvents } from './audit-helpers.js';

describe('audit: events are append-only', () => {
  let t: TestApp;
  let psql: pg.Client;
  let ticketId: string;
  let eventId: string;
  before(async () => {
    t = await createTestApp();
    psql = new pg.Client({ connectionString: t.database.url });
    await psql.connect();
    ticketId = (await createTicket(t.ctx, { subject: 'Original subject' })).id;
    eventId = (await ticketEvents(t.ctx, ticketId))[0]!.event_id;
  });
  after(async () => {
    await psql.end();
    await t.close();
  });

  test('when an event row is updated with SQL, then the database refuses and the row is unchanged', async () => {
    await assert.rejects(
      psql.query(`UPDATE contact_submission_events SET source = 'admin', subject = 'forged' WHERE event_id = $1`, [
        eventId,
      ]),
      /audit events are append-only: UPDATE on contact_submission_events/,
    );
    const [event] = await ticketEvents(t.ctx, ticketId);
    assert.equal(event!.source, 'api');
    assert.equal(event!.subject, 'Original subject');
  });

  test('when an event row is deleted with SQL, then the database refuses and the row remains', async () => {
    await assert.rejects(
      psql.query('DELETE FROM contact_submission_events WHERE event_id = $1', [eventId]),
      /audit events are append-only: DELETE on contact_submission_events/,
    );
    assert.equal((await ticketEvents(t.ctx, ticketId)).length, 1);
  });

  test('when the event tables are truncated, then the database refuses', async () => {
    await assert.rejects(psql.query('TRUNCATE contact_submission_events'), /append-only: TRUNCATE/);
    await assert.rejects(psql.query('TRUNCATE user_events'), /append-only: TRUNCATE/);
    assert.equal((await ticketEvents(t.ctx, ticketId)).length, 1);
  });

  test('when a user event is updated or deleted through Prisma, then the database refuses', async () => {
    const user = await createUser(t.ctx, { role: 'moderator' });
    const [event] = await userEvents(t.ctx, user.id);
    await assert.rejects(
      t.ctx.db.prisma.userEvent.update({ where: { eventId: BigInt(event!.event_id) }, data: { role: 'admin' } }),
      /append-only/,
    );
    await assert.rejects(t.ctx.db.prisma.userEvent.deleteMany({ where: { userId: user.id } }), /append-only/);
    const after = await userEvents(t.ctx, user.id);
    assert.equal(after.length, 1);
    assert.equal(after[0]!.role, 'moderator');
  });

  test('when an event is inserted with its own event id, then the identity column refuses it', async () => {
    await assert.rejects(
      psql.query(
        `INSERT INTO contact_submission_events (event_id, operation, changed_fields, source, ticket_id, ticket_number,
           name, email, subject, message, category, status, created_at, updated_at, admin_notes, resolution_notes)
         SELECT 1, operation, changed_fields, source, ticket_id, ticket_number, name, email, subject, message,
           category, status, created_at, updated_at, admin_notes, resolution_notes
         FROM contact_submission_events WHERE event_id = $1`,
        [eventId],
      ),
      /cannot insert a non-DEFAULT value into column "event_id"/,
    );
  });
});

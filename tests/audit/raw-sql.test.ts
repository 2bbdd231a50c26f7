import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken } from '../helpers/factories.js';
import { SUBMITTED_FIELDS, ticketEvents } from './audit-helpers.js';

describe('audit: raw SQL (psql) writes', () => {
  let t: TestApp;
  let psql: pg.Client;
  let moderatorAuth: Record<string, string>;
  before(async () => {
    t = await createTestApp();
    // A separate plain connection, like a psql session: no app code, no audit context set.
    psql = new pg.Client({ connectionString: t.database.url });
    await psql.connect();
    ({ auth: moderatorAuth } = await createUserWithToken(t.ctx, { role: 'moderator' }));
  });
  after(async () => {
    await psql.end();
    await t.close();
  });

  test('when a ticket is updated from psql, then the event has source sql, no actor and the exact from/to', async () => {
    const ticket = await createTicket(t.ctx);
    await psql.query(
      `UPDATE contact_submissions SET status = 'in_progress', admin_notes = 'fixed by hand' WHERE id = $1`,
      [ticket.id],
    );

    const events = await ticketEvents(t.ctx, ticket.id);
    assert.equal(events.length, 2);
    const update = events[1]!;
    assert.equal(update.operation, 'update');
    assert.equal(update.source, 'sql');
    assert.equal(update.actor_id, null);
    assert.equal(update.request_id, null);
    assert.deepEqual(update.changed_fields, ['status', 'admin_notes']);

    const history = await request(t.app).get(`/api/v1/contact/${ticket.id}/history`).set(moderatorAuth).expect(200);
    const latest = history.body.entries.find((e: { type: string }) => e.type === 'change');
    assert.equal(latest.id, update.event_id);
    assert.equal(latest.source, 'sql');
    assert.equal(latest.actor, null);
    assert.deepEqual(latest.changes, [
      { field: 'status', from: 'pending', to: 'in_progress' },
      { field: 'admin_notes', from: '', to: 'fixed by hand' },
    ]);
  });

  test('when the session set an audit context in an earlier transaction, then a later psql write is still source sql', async () => {
    const ticket = await createTicket(t.ctx);
    await psql.query('BEGIN');
    await psql.query(
      `SELECT set_config('contactdesk.source', 'cli', true), set_config('contactdesk.request_id', 'old', true)`,
    );
    await psql.query('COMMIT');
    await psql.query(`UPDATE contact_submissions SET category = 'bug' WHERE id = $1`, [ticket.id]);

    const update = (await ticketEvents(t.ctx, ticket.id)).at(-1)!;
    assert.equal(update.source, 'sql');
    assert.equal(update.request_id, null);
    assert.deepEqual(update.changed_fields, ['category']);
  });

  test('when psql only bumps updated_at, then no event is recorded', async () => {
    const ticket = await createTicket(t.ctx);
    await psql.query(`UPDATE contact_submissions SET updated_at = now() + interval '1 hour' WHERE id = $1`, [
      ticket.id,
    ]);
    const events = await ticketEvents(t.ctx, ticket.id);
    assert.deepEqual(
      events.map((e) => e.operation),
      ['insert'],
    );
  });

  test('when a ticket is deleted from psql, then a delete event keeps the whole last row', async () => {
    const ticket = await createTicket(t.ctx, { subject: 'Delete me by hand' });
    await psql.query(`UPDATE contact_submissions SET admin_notes = 'last note' WHERE id = $1`, [ticket.id]);
    await psql.query('DELETE FROM contact_submissions WHERE id = $1', [ticket.id]);

    const del = (await ticketEvents(t.ctx, ticket.id)).at(-1)!;
    assert.equal(del.operation, 'delete');
    assert.equal(del.source, 'sql');
    assert.equal(del.actor_id, null);
    assert.deepEqual(del.changed_fields, SUBMITTED_FIELDS);
    assert.equal(del.subject, 'Delete me by hand');
    assert.equal(del.admin_notes, 'last note');
    assert.equal(del.ticket_number, ticket.ticketNumber);
  });
});

// The panel's bulk delete is one use case, one statement, one transaction: the selection is
// deleted whole (its audit events written by the same transaction, for the same request) or,
// when any row fails, not at all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deleteTickets } from '../../src/contact/contact.service.js';
import { AppError } from '../../src/errors.js';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const API = '/admin/api/resources/tickets';
const bulkDeleteUrl = (ids: string[]) => `${API}/bulk/bulkDelete?recordIds=${ids.join(',')}`;

describe('panel bulk delete', () => {
  let t: TestApp;
  let admin: TestUser;
  let adminAgent: PanelAgent;
  const remaining = async (ids: string[]) =>
    (await t.ctx.db.pool.query('SELECT id FROM contact_submissions WHERE id = ANY($1::uuid[])', [ids])).rowCount;

  before(async () => {
    t = await createPanelTestApp();
    admin = await createUser(t.ctx, { role: 'admin' });
    adminAgent = await panelLogin(t.app, admin);
  });
  after(() => t.close());

  test('when an admin bulk deletes 3 tickets, then all are gone and their delete events come from one transaction and one request', async () => {
    const ids = [(await createTicket(t.ctx)).id, (await createTicket(t.ctx)).id, (await createTicket(t.ctx)).id];
    const res = await adminAgent.post(bulkDeleteUrl(ids)).send({}).expect(200);
    assert.equal(res.body.notice.type, 'success', JSON.stringify(res.body.notice));
    assert.equal(await remaining(ids), 0);
    // xmin of an event row is the id of the transaction that inserted it (the audit trigger runs
    // inside the delete's transaction): one value means one transaction.
    const { rows } = await t.ctx.db.pool.query(
      `SELECT count(*)::int AS events, count(DISTINCT xmin::text)::int AS transactions,
              count(DISTINCT request_id)::int AS requests, bool_and(source = 'admin') AS from_panel,
              bool_and(actor_id = $2) AS by_admin
         FROM contact_submission_events WHERE ticket_id = ANY($1::uuid[]) AND operation = 'delete'`,
      [ids, admin.id],
    );
    assert.deepEqual(rows[0], { events: 3, transactions: 1, requests: 1, from_panel: true, by_admin: true });
  });

  test('when the second row of a bulk delete fails, then none of the selected tickets is deleted', async () => {
    const ids = [(await createTicket(t.ctx)).id, (await createTicket(t.ctx)).id, (await createTicket(t.ctx)).id];
    // A sequence is not rolled back with a transaction, so it counts deletes across transactions
    // too: the second deleted row fails however the deletes are grouped.
    await t.ctx.db.pool.query(`
      CREATE SEQUENCE test_bulk_delete_seq;
      CREATE FUNCTION test_fail_second_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('test_bulk_delete_seq') = 2 THEN RAISE EXCEPTION 'provoked failure on the second delete'; END IF;
        RETURN OLD;
      END $$;
      CREATE TRIGGER test_fail_second_delete BEFORE DELETE ON contact_submissions
        FOR EACH ROW EXECUTE FUNCTION test_fail_second_delete();`);
    try {
      const res = await adminAgent.post(bulkDeleteUrl(ids)).send({});
      assert.notEqual(res.body?.notice?.type, 'success', `${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(await remaining(ids), 3);
      const events = await t.ctx.db.pool.query(
        "SELECT 1 FROM contact_submission_events WHERE ticket_id = ANY($1::uuid[]) AND operation = 'delete'",
        [ids],
      );
      assert.equal(events.rowCount, 0);
    } finally {
      await t.ctx.db.pool.query(`
        DROP TRIGGER test_fail_second_delete ON contact_submissions;
        DROP FUNCTION test_fail_second_delete();
        DROP SEQUENCE test_bulk_delete_seq;`);
    }
  });

  test('when one selected ticket is already gone, then deleteTickets refuses with 404 and deletes none of the others', async () => {
    const kept = [(await createTicket(t.ctx)).id, (await createTicket(t.ctx)).id];
    const gone = (await createTicket(t.ctx)).id;
    await deleteTickets(t.ctx, admin, [gone], { source: 'api' });
    await assert.rejects(
      deleteTickets(t.ctx, admin, [...kept, gone], { source: 'api' }),
      (err: unknown) => err instanceof AppError && err.status === 404,
    );
    assert.equal(await remaining(kept), 2);
  });

  test('when a moderator calls deleteTickets, then 403 and nothing is deleted', async () => {
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const ids = [(await createTicket(t.ctx)).id];
    await assert.rejects(
      deleteTickets(t.ctx, mod, ids, { source: 'api' }),
      (err: unknown) => err instanceof AppError && err.status === 403,
    );
    assert.equal(await remaining(ids), 1);
  });
});

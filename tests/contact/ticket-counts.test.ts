// The stats totals come from trigger-maintained counts; they must always equal a real count.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bulkTicketAction } from '../../src/contact/contact.bulk.js';
import { deleteTicket, runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
import { compactTicketCounts, readTicketCounts, rebuildTicketCounts } from '../../src/contact/ticket-counts.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUser } from '../helpers/factories.js';

// One group per (status, category, priority, assigned): the fields declared `counted`.
const key = (r: { status: string; category: string; priority?: unknown; assigned: boolean }) =>
  `${r.status}/${r.category}/${String(r.priority)}/${r.assigned}`;

async function assertCountsMatchTable(t: TestApp) {
  const counted = await t.ctx.db.pool.query<{
    status: string;
    category: string;
    priority: string;
    assigned: boolean;
    n: number;
  }>(
    `SELECT status, category, priority, assigned_to_id IS NOT NULL AS assigned, count(*)::int AS n
     FROM contact_submissions GROUP BY 1, 2, 3, 4`,
  );
  const expected = new Map(counted.rows.map((r) => [key(r), r.n]));
  const maintained = await readTicketCounts(t.ctx.db);
  for (const r of maintained) assert.equal(r.n, expected.get(key(r)) ?? 0, `count for ${key(r)}`);
  assert.equal(maintained.length, 4 * 7 * 4 * 2, 'every combination is present');
}

describe('ticket counts maintained by triggers', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when tickets are submitted, changed one by one and in bulk, deleted, and compacted, then the totals always equal a real count', async () => {
    const admin = await createUser(t.ctx, { role: 'admin' });
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const meta = { source: 'api' as const };
    const tickets = await Promise.all(
      Array.from({ length: 30 }, (_, i) => createTicket(t.ctx, { category: i % 3 === 0 ? 'bug' : 'general' })),
    );
    await assertCountsMatchTable(t);

    await runTicketAction(t.ctx, mod, tickets[0]!.id, 'assign_to_me', {}, meta);
    await runTicketAction(t.ctx, mod, tickets[1]!.id, 'resolve', { resolutionNotes: 'done' }, meta);
    await updateTicket(t.ctx, mod, tickets[2]!.id, { category: 'feature', assigned_to_id: admin.id }, meta);
    await assertCountsMatchTable(t);

    await bulkTicketAction(
      t.ctx,
      mod,
      tickets.slice(3, 15).map((x) => x.id),
      'resolve',
      {},
      meta,
    );
    await bulkTicketAction(
      t.ctx,
      mod,
      tickets.slice(3, 10).map((x) => x.id),
      'archive',
      {},
      meta,
    );
    await bulkTicketAction(
      t.ctx,
      admin,
      tickets.slice(15, 25).map((x) => x.id),
      'assign_to_me',
      {},
      meta,
    );
    await assertCountsMatchTable(t);

    await deleteTicket(t.ctx, admin, tickets[29]!.id, meta);
    // Deleting the assignee unassigns their tickets (ON DELETE SET NULL) — counted as an update.
    await t.ctx.db.pool.query('DELETE FROM users WHERE id = $1', [mod.id]);
    await assertCountsMatchTable(t);

    await compactTicketCounts(t.ctx.db);
    const { rows } = await t.ctx.db.pool.query('SELECT count(*)::int AS n FROM ticket_count_deltas');
    assert.equal(rows[0].n, 0, 'compaction folds every committed delta');
    await assertCountsMatchTable(t);
  });

  test('when rows were written with triggers off, then rebuildTicketCounts brings the totals back to a real count', async () => {
    const client = await t.ctx.db.pool.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query(`UPDATE contact_submissions SET category = 'other' WHERE category = 'general'`);
      await client.query('SET session_replication_role = origin');
      await rebuildTicketCounts(client);
    } finally {
      client.release();
    }
    await assertCountsMatchTable(t);
  });

  test('when a change is rolled back, then the totals do not move', async () => {
    const before = await readTicketCounts(t.ctx.db);
    const client = await t.ctx.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE contact_submissions SET status = 'archived' WHERE status <> 'archived'`);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    assert.deepEqual(await readTicketCounts(t.ctx.db), before);
    await assertCountsMatchTable(t);
  });
});

// The per-day stats (migration 20261203600000_ticket_daily_stats, src/stats) against the tickets
// themselves, on a real PostgreSQL: after a mix of submits, assignments, resolves, reopens,
// category / priority changes (single and bulk), first replies, notes and deletes, every
// aggregate equals a direct GROUP BY over contact_submissions and ticket_messages — before and
// after the deltas are folded; a rolled-back change leaves them as they were; the overview's
// rolling windows equal direct counts on both sides of noon.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { bulkSetField, bulkTicketAction } from '../../src/contact/contact.bulk.js';
import { deleteTicket, runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
import type { TicketCategory } from '../../src/contact/ticket.fields.js';
import { postStaffMessage } from '../../src/conversation/conversation.service.js';
import { compactTicketStats } from '../../src/stats/ticket-stats.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';

const T0 = Date.parse('2026-06-15T10:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const META = { source: 'api' as const };

// What the tables hold, main + unfolded deltas, as sorted "dim day metric key n seconds" lines.
const AGGREGATE_SQL = `
  SELECT 'stat ' || dim || ' ' || day || ' ' || metric || ' ' || key || ' ' || sum(n) || ' ' || sum(seconds) AS line
  FROM (SELECT dim, day, metric, key, n, seconds FROM ticket_daily_stats
        UNION ALL SELECT dim, day, metric, key, n, seconds FROM ticket_daily_stat_deltas) x
  GROUP BY dim, day, metric, key HAVING sum(n) <> 0 OR sum(seconds) <> 0
  UNION ALL
  SELECT 'duration ' || day || ' ' || metric || ' ' || bucket || ' ' || sum(n)
  FROM (SELECT day, metric, bucket, n FROM ticket_daily_durations
        UNION ALL SELECT day, metric, bucket, n FROM ticket_daily_duration_deltas) x
  GROUP BY day, metric, bucket HAVING sum(n) <> 0
  UNION ALL
  SELECT 'open ' || key || ' ' || sum(n)
  FROM (SELECT key, n FROM ticket_open_by_assignee UNION ALL SELECT key, n FROM ticket_open_by_assignee_deltas) x
  GROUP BY key HAVING sum(n) <> 0`;

// The same, written independently from the tickets: first response = the first reply message.
const DIRECT_SQL = `
  WITH facts AS (
    SELECT t.category::text AS category, t.priority::text AS priority, coalesce(t.assigned_to_id::text, '') AS assignee,
           e.metric, (e.at AT TIME ZONE 'UTC')::date AS day, floor(extract(epoch FROM e.at - t.created_at))::bigint AS secs
    FROM contact_submissions t
    CROSS JOIN LATERAL (
      SELECT 'created' AS metric, t.created_at AS at
      UNION ALL SELECT 'resolved', t.resolved_at WHERE t.status IN ('resolved', 'archived')
      UNION ALL SELECT 'first_responded', (SELECT min(m.created_at) FROM ticket_messages m
                                           WHERE m.ticket_id = t.id AND m.kind = 'reply')
    ) e WHERE e.at IS NOT NULL
  ), keyed AS (
    SELECT 'total' AS dim, '' AS key, * FROM facts
    UNION ALL SELECT 'category', category, * FROM facts
    UNION ALL SELECT 'priority', priority, * FROM facts
    UNION ALL SELECT 'assignee', assignee, * FROM facts WHERE assignee <> ''  -- unassigned: total minus these
  )
  SELECT 'stat ' || dim || ' ' || day || ' ' || metric || ' ' || key || ' ' || count(*) || ' '
         || sum(CASE WHEN metric = 'created' THEN 0 ELSE secs END) AS line
  FROM keyed GROUP BY dim, day, metric, key
  UNION ALL
  SELECT 'duration ' || day || ' ' || metric || ' ' || bucket || ' ' || count(*)
  FROM (SELECT day, metric, CASE WHEN secs < 1 THEN 0 ELSE 1 + floor(8 * log(2, secs::numeric)) END AS bucket
        FROM facts WHERE metric <> 'created') b
  GROUP BY day, metric, bucket
  UNION ALL
  SELECT 'open ' || coalesce(assigned_to_id::text, '') || ' ' || count(*)
  FROM contact_submissions WHERE status IN ('pending', 'in_progress') AND assigned_to_id IS NOT NULL
  GROUP BY assigned_to_id`;

describe('per-day ticket stats', () => {
  const clock = new TestClock(new Date(T0));
  let t: TestApp;
  let alpha: { user: TestUser; auth: Record<string, string> };
  let beta: { user: TestUser; auth: Record<string, string> };
  let admin: TestUser;
  const ids: string[] = [];

  const lines = async (sql: string) =>
    (await t.ctx.db.pool.query<{ line: string }>(sql)).rows.map((r) => r.line).sort();
  const assertAggregatesMatch = async (when: string) =>
    assert.deepEqual(await lines(AGGREGATE_SQL), await lines(DIRECT_SQL), when);

  async function ticket(at: number, category: TicketCategory = 'general') {
    clock.set(new Date(at));
    const row = await createTicket(t.ctx, { category });
    ids.push(row.id);
    return row.id;
  }

  before(async () => {
    t = await createTestApp({ clock });
    alpha = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Alpha Mod' });
    beta = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Beta Mod' });
    admin = (await createUserWithToken(t.ctx, { role: 'admin', name: 'Ada Admin' })).user;
  });
  after(() => t.close());

  test('when tickets go through a mix of changes, then every aggregate equals the direct count', async () => {
    const a = await ticket(T0 - 9 * D, 'bug');
    const b = await ticket(T0 - 9 * D + 5 * H, 'general');
    const c = await ticket(T0 - 3 * D, 'account');
    const d = await ticket(T0 - 2 * D - 3 * H, 'bug');
    const e = await ticket(T0 - 20 * H, 'feature');
    const f = await ticket(T0 - H, 'general');
    const g = await ticket(T0 - 40 * D, 'other');

    const at = (ms: number) => clock.set(new Date(ms));
    at(T0 - 9 * D + 2 * H);
    await runTicketAction(t.ctx, alpha.user, a, 'assign_to_me', {}, META);
    // A note is not a response; the reply (2 h 17 min after a) is a's first response.
    await postStaffMessage(t.ctx, alpha.user, a, { kind: 'note', body: 'looking' }, META);
    at(T0 - 9 * D + 2 * H + 17 * 60_000);
    await postStaffMessage(t.ctx, alpha.user, a, { kind: 'reply', body: 'Fixed?' }, META);
    at(T0 - 8 * D);
    await runTicketAction(t.ctx, alpha.user, a, 'resolve', {}, META);
    // b: answered by beta (takes it), then a second reply (not a first response again).
    at(T0 - 9 * D + 6 * H);
    await postStaffMessage(t.ctx, beta.user, b, { kind: 'reply', body: 'On it' }, META);
    at(T0 - 8 * D + 3 * H);
    await postStaffMessage(t.ctx, alpha.user, b, { kind: 'reply', body: 'Again' }, META);
    // c: resolved, reopened, resolved again later; category and priority changed meanwhile.
    at(T0 - 3 * D + 4 * H);
    await runTicketAction(t.ctx, beta.user, c, 'resolve', {}, META);
    at(T0 - 2 * D);
    await runTicketAction(t.ctx, beta.user, c, 'reopen', {}, META);
    await updateTicket(t.ctx, beta.user, c, { category: 'data', priority: 'high' }, META);
    at(T0 - D + 7 * H);
    await runTicketAction(t.ctx, beta.user, c, 'resolve', {}, META);
    // d, e: reassigned back and forth; e gets a reply that resolves it.
    at(T0 - 2 * D);
    await updateTicket(t.ctx, alpha.user, d, { assigned_to_id: alpha.user.id }, META);
    await updateTicket(t.ctx, alpha.user, d, { assigned_to_id: beta.user.id }, META);
    at(T0 - 10 * H);
    await postStaffMessage(t.ctx, alpha.user, e, { kind: 'reply', body: 'Done', status: 'resolved' }, META);
    // Bulk: one statement changes several tickets (priority, then an action).
    at(T0 - 30 * 60_000);
    await bulkSetField(t.ctx, alpha.user, [b, d, f], 'priority', 'urgent', META);
    await bulkTicketAction(t.ctx, alpha.user, [d, f], 'assign_to_me', { force: true }, META);
    // g: resolved long ago, archived, then deleted; an unassigned open one deleted too.
    at(T0 - 39 * D);
    await runTicketAction(t.ctx, alpha.user, g, 'resolve', {}, META);
    await runTicketAction(t.ctx, alpha.user, g, 'archive', {}, META);
    const h = await ticket(T0 - 2 * H, 'abuse');
    at(T0);
    await deleteTicket(t.ctx, admin, g, META);
    await deleteTicket(t.ctx, admin, h, META);

    const { rows } = await t.ctx.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ticket_daily_stat_deltas',
    );
    assert.ok(rows[0]!.n > 0, 'changes other than inserts went to the deltas');
    await assertAggregatesMatch('with unfolded deltas');
    assert.ok((await compactTicketStats(t.ctx.db)) > 0);
    await assertAggregatesMatch('after folding');
    const left = await t.ctx.db.pool.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM ticket_daily_stat_deltas) + (SELECT count(*) FROM ticket_daily_duration_deltas)
         + (SELECT count(*) FROM ticket_open_by_assignee_deltas))::int AS n`,
    );
    assert.equal(left.rows[0]!.n, 0);
    assert.equal(await compactTicketStats(t.ctx.db), 0);
  });

  test('when a transaction with stat changes rolls back, then the aggregates are unchanged', async () => {
    const before = await lines(AGGREGATE_SQL);
    const client = await t.ctx.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `UPDATE contact_submissions SET status = 'resolved', resolved_at = created_at + interval '5 hours'
         WHERE status IN ('pending', 'in_progress')`,
      );
      await client.query(`UPDATE contact_submissions SET category = 'other', assigned_to_id = NULL`);
      await client.query(
        `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, category, status, created_at, updated_at)
         VALUES (gen_random_uuid(), 'CONT-20260615-9999', 'X', 'x@example.com', 'S', 'M', 'bug', 'pending', now(), now())`,
      );
      await client.query(`DELETE FROM contact_submissions WHERE id = $1`, [ids[0]]);
      assert.notDeepEqual(await linesIn(client, AGGREGATE_SQL), before, 'visible inside the transaction');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    assert.deepEqual(await lines(AGGREGATE_SQL), before);
    await assertAggregatesMatch('after the rollback');
  });

  test('when the overview is read before and after noon, then the rolling windows equal direct counts', async () => {
    // Tickets around yesterday's 10:00 and 15:00 (the two windows' starts) and today.
    for (const off of [-D - 3 * H, -D - 30 * 60_000, -D + 30 * 60_000, -D + 4 * H, -D + 6 * H, -3 * H])
      await ticket(T0 + off);
    for (const now of [T0, T0 + 5 * H, T0 + 14 * H]) {
      clock.set(new Date(now));
      const res = await request(t.app).get('/api/v1/contact/stats/overview').set(alpha.auth).expect(200);
      const direct = await t.ctx.db.pool.query<{ d1: number; d7: number; d30: number; r7: number; f30: number }>(
        `SELECT count(*) FILTER (WHERE created_at >= $1::timestamptz - interval '1 day')::int AS d1,
           count(*) FILTER (WHERE created_at >= $1::timestamptz - interval '7 days')::int AS d7,
           count(*) FILTER (WHERE created_at >= $1::timestamptz - interval '30 days')::int AS d30,
           count(*) FILTER (WHERE status IN ('resolved', 'archived') AND resolved_at >= $1::timestamptz - interval '7 days')::int AS r7,
           count(*) FILTER (WHERE sla_first_response_at >= $1::timestamptz - interval '30 days')::int AS f30
         FROM contact_submissions WHERE created_at <= $1`,
        [new Date(now)],
      );
      const x = direct.rows[0]!;
      const s = res.body;
      const at = new Date(now).toISOString();
      assert.deepEqual([s.created_last_24h, s.created_last_7d, s.created_last_30d], [x.d1, x.d7, x.d30], at);
      assert.equal(s.resolution_time_7d.resolved_count, x.r7, at);
      assert.equal(s.first_response_time_30d.responded_count, x.f30, at);
      assert.equal(s.percentile_methods.resolution_time_30d, 'exact');
      assert.equal(s.activity_30d.to_day, at.slice(0, 10));
    }
    // Open per assignee: alpha has d and f, beta b (c, e resolved).
    const s = (await request(t.app).get('/api/v1/contact/stats/overview').set(alpha.auth).expect(200)).body;
    const unassigned = await t.ctx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM contact_submissions
       WHERE assigned_to_id IS NULL AND created_at >= ($1::timestamptz AT TIME ZONE 'UTC')::date - 29`,
      [clock.now()],
    );
    const none = s.activity_30d.by_assignee.find((r: { id: string | null }) => r.id === null);
    assert.equal(none.created, unassigned.rows[0]!.n);
    assert.ok(none.created > 0);
    assert.deepEqual(
      s.open_by_assignee.map((r: { name: string; open: number }) => [r.name, r.open]),
      [
        ['Alpha Mod', 2],
        ['Beta Mod', 1],
      ],
    );
  });
});

async function linesIn(client: { query: (sql: string) => Promise<{ rows: Array<{ line: string }> }> }, sql: string) {
  return (await client.query(sql)).rows.map((r) => r.line).sort();
}

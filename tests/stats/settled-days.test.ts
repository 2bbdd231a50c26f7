// The overview's cache of settled days (src/stats/settled-days.ts, migration
// 20261205000100_ticket_stats_epoch) on a real PostgreSQL: a second read takes the days before
// yesterday from the cache (its statement has no settled parts), and the figures stay equal to
// direct counts over the tickets through every way a settled day changes — a change written as
// a delta (read live), the deltas folded in, a backdated ticket, a renamed user, and a write to
// the totals with triggers switched off; and a window cut on a settled day counts that day from
// its cached rows for any start, until a ticket of that day is reopened.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { deleteTicket, runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
import type { TicketCategory } from '../../src/contact/ticket.fields.js';
import { getDashboard } from '../../src/contact/dashboard.service.js';
import { compactTicketStats } from '../../src/stats/ticket-stats.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';

const T0 = Date.parse('2026-06-15T10:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const META = { source: 'api' as const };

interface Overview {
  created_last_7d: number;
  resolution_time_7d: { resolved_count: number };
  resolution_time_30d: { resolved_count: number };
  activity_30d: {
    created: number;
    by_category: Record<string, { created: number; resolved: number }>;
    by_assignee: Array<{ id: string | null; name: string | null; created: number; resolved: number }>;
  };
}

describe('settled days of the stats overview', () => {
  const clock = new TestClock(new Date(T0));
  let t: TestApp;
  let alpha: { user: TestUser; auth: Record<string, string> };
  let beta: { user: TestUser; auth: Record<string, string> };
  let admin: TestUser;
  // The snapshot statements run, to tell a read that used the cache from one that did not.
  const statements: string[] = [];

  async function ticket(at: number, category: TicketCategory) {
    clock.set(new Date(at));
    const row = await createTicket(t.ctx, { category });
    clock.set(new Date(T0));
    return row.id;
  }

  async function overview(): Promise<{ body: Overview; texts: string[] }> {
    statements.length = 0;
    const res = await request(t.app).get('/api/v1/contact/stats/overview').set(alpha.auth).expect(200);
    return { body: res.body as Overview, texts: [...statements] };
  }

  const readSettledDays = (text: string) => text.includes('activity_settled_breakdown');

  // The same figures straight from the tickets.
  async function direct() {
    const now = new Date(T0);
    const { rows } = await t.ctx.db.pool.query<{ kind: string; key: string; n: number }>(
      `WITH w AS (SELECT * FROM contact_submissions WHERE created_at >= ($1::timestamptz AT TIME ZONE 'UTC')::date - 29)
       SELECT 'category' AS kind, category::text AS key, count(*)::int AS n FROM w GROUP BY 2
       UNION ALL SELECT 'assignee', coalesce(assigned_to_id::text, ''), count(*)::int FROM w GROUP BY 2
       UNION ALL SELECT 'created7', '', count(*)::int FROM contact_submissions WHERE created_at >= $1::timestamptz - interval '7 days'
       UNION ALL SELECT 'resolved30', '', count(*)::int FROM contact_submissions
         WHERE status IN ('resolved', 'archived') AND resolved_at >= $1::timestamptz - interval '30 days'`,
      [now],
    );
    const pick = (kind: string) => Object.fromEntries(rows.filter((r) => r.kind === kind).map((r) => [r.key, r.n]));
    return {
      byCategory: pick('category'),
      byAssignee: pick('assignee'),
      created7: pick('created7')['']!,
      resolved30: pick('resolved30')['']!,
    };
  }

  async function assertMatchesTickets(body: Overview, when: string) {
    const x = await direct();
    const byCategory = Object.fromEntries(
      Object.entries(body.activity_30d.by_category)
        .filter(([, c]) => c.created)
        .map(([k, c]) => [k, c.created]),
    );
    const byAssignee = Object.fromEntries(body.activity_30d.by_assignee.map((r) => [r.id ?? '', r.created]));
    assert.deepEqual(byCategory, x.byCategory, `${when}: by category`);
    assert.deepEqual(
      Object.fromEntries(Object.entries(byAssignee).filter(([, n]) => n)),
      x.byAssignee,
      `${when}: by assignee`,
    );
    assert.equal(body.created_last_7d, x.created7, `${when}: created in 7 days`);
    assert.equal(body.resolution_time_30d.resolved_count, x.resolved30, `${when}: resolved in 30 days`);
  }

  before(async () => {
    t = await createTestApp({ clock });
    alpha = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Alpha Mod' });
    beta = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Beta Mod' });
    admin = (await createUserWithToken(t.ctx, { role: 'admin', name: 'Ada Admin' })).user;
    const pool = t.ctx.db.pool;
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const q = args[0] as { name?: string; text?: string };
      if (q && typeof q === 'object' && q.name?.startsWith('snapshot_')) statements.push(q.text!);
      return query(...args);
    };
  });
  after(() => t.close());

  test('when the overview is read again, then the settled days come from the cache and every change to them shows', async () => {
    // Tickets on settled days (before yesterday), yesterday and today; some assigned and resolved.
    const old = [
      await ticket(T0 - 9 * D, 'bug'),
      await ticket(T0 - 5 * D, 'bug'),
      await ticket(T0 - 5 * D + 2 * H, 'account'),
      await ticket(T0 - 4 * D, 'general'),
    ];
    await ticket(T0 - D, 'feature');
    await ticket(T0 - H, 'bug');
    clock.set(new Date(T0 - 4 * D + H));
    await updateTicket(t.ctx, alpha.user, old[1]!, { assigned_to_id: alpha.user.id }, META);
    await runTicketAction(t.ctx, alpha.user, old[0]!, 'resolve', {}, META);
    clock.set(new Date(T0));
    await compactTicketStats(t.ctx.db);

    const first = await overview();
    assert.equal(first.texts.length, 1);
    assert.ok(readSettledDays(first.texts[0]!), 'the first read sums the settled days');
    await assertMatchesTickets(first.body, 'first read');

    const second = await overview();
    assert.equal(second.texts.length, 1);
    assert.ok(!readSettledDays(second.texts[0]!), 'the second read takes them from the cache');
    assert.deepEqual(second.body.activity_30d, first.body.activity_30d);

    // A reassignment of a settled day's ticket is a delta: read live, the cache still serves.
    await updateTicket(t.ctx, alpha.user, old[1]!, { assigned_to_id: beta.user.id }, META);
    const moved = await overview();
    assert.ok(!readSettledDays(moved.texts[0]!));
    await assertMatchesTickets(moved.body, 'after a reassignment (delta)');
    assert.equal(moved.body.activity_30d.by_assignee.find((r) => r.id === beta.user.id)?.created, 1);

    // Folding the deltas rewrites settled rows: the cached sums are dropped and read again.
    assert.ok((await compactTicketStats(t.ctx.db)) > 0);
    const folded = await overview();
    assert.equal(folded.texts.length, 2, 'a stale cache costs one more statement');
    assert.ok(!readSettledDays(folded.texts[0]!) && readSettledDays(folded.texts[1]!));
    await assertMatchesTickets(folded.body, 'after folding');
    assert.deepEqual(folded.body.activity_30d, moved.body.activity_30d);

    // A renamed user: cached rows do not keep the old name.
    await t.ctx.db.pool.query(`UPDATE users SET name = 'Beta Renamed' WHERE id = $1`, [beta.user.id]);
    const renamed = await overview();
    assert.ok(!readSettledDays(renamed.texts.at(-1)!));
    assert.equal(renamed.body.activity_30d.by_assignee.find((r) => r.id === beta.user.id)?.name, 'Beta Renamed');

    // A backdated ticket is inserted straight into a settled day's totals.
    await ticket(T0 - 6 * D, 'account');
    const backdated = await overview();
    assert.ok(readSettledDays(backdated.texts.at(-1)!));
    await assertMatchesTickets(backdated.body, 'after a backdated ticket');

    // Even a write with triggers switched off (as a bulk load does) moves the epoch.
    const before = (await overview()).body.activity_30d.by_category.general!.created;
    const client = await t.ctx.db.pool.connect();
    try {
      await client.query(`SET session_replication_role = replica`);
      await client.query(
        `UPDATE ticket_daily_stats SET n = n + 3
         WHERE dim = 'category' AND key = 'general' AND metric = 'created' AND day = $1::date`,
        [new Date(T0 - 4 * D).toISOString().slice(0, 10)],
      );
      await client.query(`RESET session_replication_role`);
    } finally {
      client.release();
    }
    const after = await overview();
    assert.equal(after.body.activity_30d.by_category.general!.created, before + 3);
    // Put the count back for the tests that follow (they compare with the tickets).
    await t.ctx.db.pool.query(
      `UPDATE ticket_daily_stats SET n = n - 3
       WHERE dim = 'category' AND key = 'general' AND metric = 'created' AND day = $1::date`,
      [new Date(T0 - 4 * D).toISOString().slice(0, 10)],
    );
    await assertMatchesTickets((await overview()).body, 'restored');
  });

  test('when the dashboard is read again, then its tickets per day and category stay equal to the tickets', async () => {
    const perDay = async () => {
      const days = (await getDashboard(t.ctx, alpha.user)).days;
      return Object.fromEntries(
        days.flatMap((d) =>
          Object.entries(d.byCategory)
            .filter(([, n]) => n)
            .map(([c, n]) => [`${d.day} ${c}`, n]),
        ),
      );
    };
    const direct = async () => {
      const { rows } = await t.ctx.db.pool.query<{ k: string; n: number }>(
        `SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') || ' ' || category AS k, count(*)::int AS n
         FROM contact_submissions WHERE created_at >= ($1::timestamptz AT TIME ZONE 'UTC')::date - 29 GROUP BY 1`,
        [new Date(T0)],
      );
      return Object.fromEntries(rows.map((r) => [r.k, r.n]));
    };
    clock.set(new Date(T0));
    assert.deepEqual(await perDay(), await direct(), 'first read');
    statements.length = 0;
    assert.deepEqual(await perDay(), await direct(), 'from the cache');
    assert.ok(!statements[0]!.includes('dashboard_settled_days'), 'the second read used the cache');
    await ticket(T0 - 12 * D, 'feature');
    assert.deepEqual(await perDay(), await direct(), 'after a backdated ticket');
  });

  test('when the 7-day window is cut on a settled day, then its cached rows give the count for any start until that day changes', async () => {
    // Around the cut 7 days before T0 (10:00): created and resolved before and after it.
    const cut = T0 - 7 * D;
    const near = [];
    for (const off of [-2 * H, -20 * 60_000, 15 * 60_000, 3 * H, 5 * H]) near.push(await ticket(cut + off, 'general'));
    for (const [i, off] of [
      [0, -H],
      [1, 30 * 60_000],
      [2, 2 * H],
    ] as const) {
      clock.set(new Date(cut + off));
      await runTicketAction(t.ctx, beta.user, near[i]!, 'resolve', {}, META);
    }
    clock.set(new Date(T0));
    await compactTicketStats(t.ctx.db);

    const windowCounts = async (now: number) => {
      const { rows } = await t.ctx.db.pool.query<{ created: number; resolved: number }>(
        `SELECT (SELECT count(*) FROM contact_submissions WHERE created_at >= $1 AND created_at <= $2)::int AS created,
           (SELECT count(*) FROM contact_submissions WHERE status IN ('resolved', 'archived')
              AND resolved_at >= $1 AND resolved_at <= $2)::int AS resolved`,
        [new Date(now - 7 * D), new Date(now)],
      );
      return rows[0]!;
    };
    const read = async (now: number) => {
      clock.set(new Date(now));
      const o = await overview();
      const x = await windowCounts(now);
      const at = new Date(now).toISOString();
      assert.equal(o.body.created_last_7d, x.created, `created in 7 days at ${at}`);
      assert.equal(o.body.resolution_time_7d.resolved_count, x.resolved, `resolved in 7 days at ${at}`);
      return o;
    };

    const first = await read(T0);
    // Later the same day: the start moves past one of the cut day's tickets and one resolution.
    const later = await read(T0 + H);
    assert.ok(!readSettledDays(later.texts[0]!), 'the same cached cut day serves the later start');
    assert.ok((await windowCounts(T0 + H)).created < (await windowCounts(T0)).created);
    assert.equal(
      later.body.resolution_time_7d.resolved_count,
      first.body.resolution_time_7d.resolved_count - 1,
      'the resolution at cut + 30 min fell out',
    );

    // Reopening the ticket resolved on the cut day changes what that day counts: read again.
    clock.set(new Date(T0 + H));
    await runTicketAction(t.ctx, beta.user, near[2]!, 'reopen', {}, META);
    const reopened = await read(T0 + H);
    assert.ok(readSettledDays(reopened.texts.at(-1)!), 'the reopen moved the epoch');
    assert.equal(reopened.body.resolution_time_7d.resolved_count, later.body.resolution_time_7d.resolved_count - 1);

    // Deleting one of the cut day's tickets (inside the window) takes it off the count.
    await compactTicketStats(t.ctx.db);
    await read(T0 + H);
    await deleteTicket(t.ctx, admin, near[3]!, META);
    const deleted = await read(T0 + H);
    assert.equal(deleted.body.created_last_7d, reopened.body.created_last_7d - 1);
  });

  test('when the epoch row is missing, then nothing is cached and the figures stay right', async () => {
    clock.set(new Date(T0));
    await t.ctx.db.pool.query('DELETE FROM ticket_stats_epoch');
    try {
      for (const when of ['first read', 'second read']) {
        const o = await overview();
        assert.ok(readSettledDays(o.texts.at(-1)!), `${when} sums the settled days`);
        await assertMatchesTickets(o.body, when);
      }
    } finally {
      await t.ctx.db.pool.query('INSERT INTO ticket_stats_epoch (id, epoch) VALUES (true, 0)');
    }
  });
});

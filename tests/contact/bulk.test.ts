// bulkTicketAction: one statement per action, same rules as the single-ticket actions, and a
// reason for every ticket it skipped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { bulkTicketAction } from '../../src/contact/contact.bulk.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { statusOf, ticketIn } from './moderator-fixtures.js';

const META = { source: 'admin' as const, requestId: 'bulk-test' };
const UNKNOWN = '0b7e6d5c-4b3a-4c2d-8e1f-0a9b8c7d6e5f';

describe('bulkTicketAction', () => {
  const clock = new TestClock('2026-06-01T08:00:00Z');
  let t: TestApp;
  let mod: TestUser;
  let other: TestUser;

  before(async () => {
    t = await createTestApp({ clock });
    mod = await createUser(t.ctx, { role: 'moderator', name: 'Alpha Mod' });
    other = await createUser(t.ctx, { role: 'moderator', name: 'Beta Mod' });
  });
  after(() => t.close());

  const row = async (id: string) =>
    (
      await t.ctx.db.pool.query(
        'SELECT status, assigned_to_id, resolved_by_id, resolved_at, resolution_notes FROM contact_submissions WHERE id = $1',
        [id],
      )
    ).rows[0];

  test('when assigning to me in bulk, then free tickets change and the others are skipped with their reason', async () => {
    const free = await ticketIn(t.ctx, mod, 'pending');
    const mine = await ticketIn(t.ctx, mod, 'in_progress');
    const taken = await ticketIn(t.ctx, other, 'in_progress');
    const done = await ticketIn(t.ctx, mod, 'resolved');
    const result = await bulkTicketAction(
      t.ctx,
      mod,
      [free.id, mine.id, taken.id, done.id, UNKNOWN, free.id],
      'assign_to_me',
      {},
      META,
    );
    assert.deepEqual(result.changed.map((c) => c.id).sort(), [free.id, mine.id].sort());
    assert.deepEqual(
      result.skipped.map((s) => [s.id, s.ticketNumber, s.reason]),
      [
        [taken.id, taken.ticketNumber, 'is already assigned to Beta Mod'],
        [done.id, done.ticketNumber, 'is resolved; only pending or in-progress tickets can be claimed'],
        [UNKNOWN, null, 'not found'],
      ],
    );
    assert.deepEqual(await row(free.id).then((r) => [r.status, r.assigned_to_id]), ['in_progress', mod.id]);
    assert.equal((await row(taken.id)).assigned_to_id, other.id);
  });

  test('when assigning with force, then tickets held by someone else are taken over too', async () => {
    const taken = await ticketIn(t.ctx, other, 'in_progress');
    const result = await bulkTicketAction(t.ctx, mod, [taken.id], 'assign_to_me', { force: true }, META);
    assert.deepEqual(result, { changed: [{ id: taken.id, ticketNumber: taken.ticketNumber }], skipped: [] });
    assert.equal((await row(taken.id)).assigned_to_id, mod.id);
  });

  test('when resolving in bulk, then open tickets get resolver, time, notes and one email each; others are skipped', async () => {
    const pending = await ticketIn(t.ctx, mod, 'pending');
    const working = await ticketIn(t.ctx, other, 'in_progress');
    const resolved = await ticketIn(t.ctx, other, 'resolved');
    const archived = await ticketIn(t.ctx, other, 'archived');
    clock.set('2026-06-01T09:15:00Z');
    const result = await bulkTicketAction(
      t.ctx,
      mod,
      [pending.id, working.id, resolved.id, archived.id],
      'resolve',
      { resolutionNotes: 'Fixed in 2.3' },
      META,
    );
    assert.deepEqual(result.changed.map((c) => c.id).sort(), [pending.id, working.id].sort());
    assert.deepEqual(
      result.skipped.map((s) => [s.id, s.reason]),
      [
        [resolved.id, 'is resolved; resolve needs pending or in_progress'],
        [archived.id, 'is archived; resolve needs pending or in_progress'],
      ],
    );
    for (const id of [pending.id, working.id]) {
      const r = await row(id);
      assert.deepEqual(
        [r.status, r.resolved_by_id, r.resolved_at.toISOString(), r.resolution_notes],
        ['resolved', mod.id, '2026-06-01T09:15:00.000Z', 'Fixed in 2.3'],
      );
    }
    // The archived ticket keeps its original resolver (not re-resolved through the back door).
    assert.equal((await row(archived.id)).resolved_by_id, other.id);
    const { rows } = await t.ctx.db.pool.query(
      `SELECT ticket_id, count(*)::int AS n FROM email_deliveries WHERE kind = 'contact_resolved' AND ticket_id = ANY($1)
       GROUP BY ticket_id`,
      [[pending.id, working.id, archived.id]],
    );
    const mails = Object.fromEntries(rows.map((r) => [r.ticket_id, r.n]));
    assert.deepEqual([mails[pending.id], mails[working.id]], [1, 1]);
    const jobs = await t.ctx.db.pool.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key = ANY($1)`, [
      [pending, working].map((x) => `mail:contact_resolved:${x.id}:${x.email.toLowerCase()}`),
    ]);
    assert.equal(jobs.rows[0].n, 2);
  });

  test('when reopening, archiving and restoring in bulk, then each works and skips the wrong states', async () => {
    const a = await ticketIn(t.ctx, mod, 'resolved');
    const b = await ticketIn(t.ctx, mod, 'resolved');
    const p = await ticketIn(t.ctx, mod, 'pending');
    const reopened = await bulkTicketAction(t.ctx, mod, [a.id, p.id], 'reopen', {}, META);
    assert.deepEqual(
      reopened.changed.map((c) => c.id),
      [a.id],
    );
    assert.deepEqual(
      reopened.skipped.map((s) => s.reason),
      ['is pending; reopen needs resolved'],
    );
    const ra = await row(a.id);
    assert.deepEqual([ra.status, ra.resolved_by_id, ra.resolved_at], ['in_progress', null, null]);

    const archivedResult = await bulkTicketAction(t.ctx, other, [b.id, a.id], 'archive', {}, META);
    assert.deepEqual(
      archivedResult.changed.map((c) => c.id),
      [b.id],
    );
    assert.deepEqual(
      archivedResult.skipped.map((s) => s.reason),
      ['is in_progress; archive needs resolved'],
    );
    assert.equal(await statusOf(t.ctx, b.id), 'archived');

    const restored = await bulkTicketAction(t.ctx, other, [b.id, p.id], 'restore', {}, META);
    assert.deepEqual(
      restored.changed.map((c) => c.id),
      [b.id],
    );
    assert.deepEqual(
      restored.skipped.map((s) => s.reason),
      ['is pending; restore needs archived'],
    );
    const rb = await row(b.id);
    assert.deepEqual([rb.status, rb.resolved_by_id], ['resolved', mod.id]);
  });

  test('when two moderators bulk-claim overlapping tickets at once, then no deadlock and each ticket has one owner', async () => {
    const tickets = await Promise.all(Array.from({ length: 12 }, () => ticketIn(t.ctx, mod, 'pending')));
    const ids = tickets.map((x) => x.id);
    const [r1, r2] = await Promise.all([
      bulkTicketAction(t.ctx, mod, ids.slice(0, 9), 'assign_to_me', {}, META),
      bulkTicketAction(t.ctx, other, [...ids.slice(3)].reverse(), 'assign_to_me', {}, META),
    ]);
    const won1 = new Set(r1.changed.map((c) => c.id));
    const won2 = new Set(r2.changed.map((c) => c.id));
    for (const id of ids) assert.ok(won1.has(id) !== won2.has(id), 'every ticket is claimed by exactly one');
    for (const s of [...r1.skipped, ...r2.skipped]) assert.match(s.reason, /already assigned to (Alpha|Beta) Mod/);
  });

  test('when the caller is not staff or an id is malformed, then nothing changes', async () => {
    const p = await ticketIn(t.ctx, mod, 'pending');
    const user = await createUser(t.ctx, { role: 'user' });
    await assert.rejects(
      bulkTicketAction(t.ctx, user, [p.id], 'assign_to_me', {}, META),
      (e) => e instanceof AppError && e.status === 403,
    );
    await assert.rejects(
      bulkTicketAction(t.ctx, null, [p.id], 'resolve', {}, META),
      (e) => e instanceof AppError && e.status === 401,
    );
    await assert.rejects(
      bulkTicketAction(t.ctx, mod, [p.id, 'nope'], 'assign_to_me', {}, META),
      (e) => e instanceof AppError && e.status === 400 && !!e.fields?.ids,
    );
    assert.equal(await statusOf(t.ctx, p.id), 'pending');
    assert.deepEqual(await bulkTicketAction(t.ctx, mod, [], 'archive', {}, META), { changed: [], skipped: [] });
  });
});

// The periodic sweeps (src/jobs/sweeps.ts): what each removes against a real database, that a
// second run finds nothing (idempotent), and that a real worker registers the crontab and runs
// the tasks from the queue.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SEEN_ADDRESS_TTL_MS, sweepLoginThrottles } from '../../src/auth/login-throttle.js';
import { sweepRateLimitCounters } from '../../src/contact/rate-limit.js';
import { compactTicketCounts, readTicketCounts } from '../../src/contact/ticket-counts.js';
import { SWEEP_TASKS, sweepCronItems } from '../../src/jobs/sweeps.js';
import { startWorker } from '../../src/jobs/worker.js';
import { createTicket } from '../helpers/factories.js';
import { mailTestEnv, waitUntil, type MailTestEnv } from '../mail/mail-setup.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('periodic sweeps on the worker crontab', () => {
  let env: MailTestEnv;
  before(async () => {
    env = await mailTestEnv({ worker: false });
  });
  after(() => env.close());

  const keys = async (table: string) =>
    (await env.ctx.db.pool.query<{ key: string }>(`SELECT key FROM ${table} ORDER BY key`)).rows.map((r) => r.key);

  test('when the rate-limit sweep runs, then windows older than two hours go and current ones stay, and a second run removes nothing', async () => {
    const now = new Date();
    await env.ctx.db.pool.query(
      `INSERT INTO rate_limit_counters (key, window_start, count) VALUES
         ('old:h', $1, 3), ('recent:h', $2, 4), ('current:m', $3, 1)`,
      [new Date(now.getTime() - 3 * HOUR), new Date(now.getTime() - HOUR), now],
    );
    assert.equal(await sweepRateLimitCounters(env.ctx.db, now), 1);
    assert.deepEqual(await keys('rate_limit_counters'), ['current:m', 'recent:h']);
    assert.equal(await sweepRateLimitCounters(env.ctx.db, now), 0);
  });

  test('when the login-throttle sweep runs, then rows past the longest memory go unless they still block', async () => {
    const now = new Date();
    const old = new Date(now.getTime() - SEEN_ADDRESS_TTL_MS - DAY);
    await env.ctx.db.pool.query(
      `INSERT INTO login_throttles (key, failures, last_failure_at, blocked_until) VALUES
         ('ip:old', 30, $1, NULL), ('seen:a@example.com|10.0.0.1', 0, $1, NULL),
         ('ip:old-still-blocked', 40, $1, $3), ('acct:recent@example.com', 2, $2, NULL)`,
      [old, new Date(now.getTime() - HOUR), new Date(now.getTime() + HOUR)],
    );
    assert.equal(await sweepLoginThrottles(env.ctx.db, now), 2);
    assert.deepEqual(await keys('login_throttles'), ['acct:recent@example.com', 'ip:old-still-blocked']);
    assert.equal(await sweepLoginThrottles(env.ctx.db, now), 0);
  });

  test('when the ticket-count compaction runs, then every delta is folded in, the totals are unchanged, and a second run folds nothing', async () => {
    for (let i = 0; i < 5; i++) await createTicket(env.ctx);
    const before = await readTicketCounts(env.ctx.db);
    const pending = await deltaCount();
    assert.ok(pending >= 5, `deltas before compaction: ${pending}`);
    assert.equal(await compactTicketCounts(env.ctx.db), pending);
    assert.equal(await deltaCount(), 0);
    assert.deepEqual(sortCounts(await readTicketCounts(env.ctx.db)), sortCounts(before));
    assert.equal(await compactTicketCounts(env.ctx.db), 0);
  });

  test('when a worker runs, then it registers every sweep on graphile’s crontab and runs a queued sweep job', async () => {
    assert.deepEqual(
      sweepCronItems()
        .map((i) => i.task)
        .sort(),
      [...SWEEP_TASKS].sort(),
    );
    const worker = await startWorker(env.ctx, { concurrency: 1 });
    try {
      const known = await waitUntil(async () => {
        const { rows } = await env.ctx.db.pool.query<{ identifier: string }>(
          'SELECT identifier FROM graphile_worker._private_known_crontabs ORDER BY identifier',
        );
        return rows.length === SWEEP_TASKS.length && rows.map((r) => r.identifier);
      }, 'the crontab is registered');
      assert.deepEqual(known, [...SWEEP_TASKS].sort());

      // The same job the crontab queues each minute, queued now: the worker knows the task and
      // runs it against the database.
      await createTicket(env.ctx);
      assert.ok((await deltaCount()) > 0);
      await env.ctx.db.pool.query(`SELECT graphile_worker.add_job('compact_ticket_counts', '{}'::json)`);
      await waitUntil(async () => (await deltaCount()) === 0, 'the worker folded the deltas');
      await waitUntil(
        async () => (await env.ctx.db.pool.query('SELECT 1 FROM graphile_worker.jobs')).rowCount === 0,
        'the sweep job completed',
      );
    } finally {
      await worker.stop();
    }
  });

  async function deltaCount(): Promise<number> {
    const { rows } = await env.ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ticket_count_deltas');
    return rows[0]!.n;
  }
});

function sortCounts(rows: Array<Record<string, unknown>>): string[] {
  return rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
}

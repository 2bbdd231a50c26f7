// What the SLA clocks cost (issue 14 §4), in-process SQL against a migrated database:
// 1. A staff priority change on one ticket with a 10-message thread, as applyChanges now does it
//    (UPDATE + the SLA recompute: settings, ticket, events, computeSla, UPDATE), against the same
//    transaction without the recompute (lock + UPDATE: what the change cost before), same run.
// 2. The alert sweep (sla_alerts, every minute) on a small and a large queue of open tickets,
//    none due (the steady state: partial indexes on the due times keep it from reading the queue).
// Targets: the change with its recompute ≤ 3x the plain change; the sweep p95 ≤ 50 ms at the
// large size.
//   npm run bench:sla [-- --small 10000 --large 200000 --rounds 200] (--quick: 10k / 50k, 100 rounds)
import pg from 'pg';
import { applyChanges, lockTickets } from '../src/contact/ticket-changes.js';
import { rebuildTicketCounts } from '../src/contact/ticket-counts.js';
import type { AppContext } from '../src/context.js';
import { sweepSlaAlerts } from '../src/sla/sla.jobs.js';
import { rebuildTicketStats } from '../src/stats/ticket-stats.js';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';

async function timeIt(rounds: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 10; i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(rounds * 0.5)]!, p95: times[Math.min(rounds - 1, Math.floor(rounds * 0.95))]! };
}

/**
 * Open tickets with due times days ahead (nothing to alert), and one ticket with a thread. Loaded
 * with triggers off and the derived counts rebuilt after, as bench/seed.ts does: in one INSERT the
 * per-row stats trigger updates the same day's rows once per ticket, and each update walks the
 * versions the statement left before it (200k rows did not finish in 7 minutes).
 */
async function seed(pool: pg.Pool, count: number): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(
      `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, category, status, created_at,
         updated_at, sla_first_response_due_at, sla_resolution_due_at)
       SELECT gen_random_uuid(), 'CONT-20260101-' || n, 'Customer ' || n, 'c' || n || '@example.com', 'Question ' || n,
         'Body', 'general', 'pending', now(), now(), now() + interval '3 days', now() + interval '9 days'
       FROM generate_series(1, $1::int) n`,
      [count],
    );
    await client.query('RESET session_replication_role');
    await rebuildTicketCounts(client);
    await rebuildTicketStats(client);
  } finally {
    client.release();
  }
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM contact_submissions LIMIT 1');
  const id = rows[0]!.id;
  await pool.query(
    `INSERT INTO ticket_messages (ticket_id, kind, author_name, author_email, body_text, channel, created_at)
     SELECT $1, CASE WHEN i % 2 = 0 THEN 'reply' ELSE 'customer' END::"MessageKind", 'X', 'x@example.com', 'text',
       'api', now() - (10 - i) * interval '1 hour' FROM generate_series(1, 10) i`,
    [id],
  );
  await pool.query('VACUUM ANALYZE contact_submissions');
  return id;
}

async function measure(env: BenchEnv, count: number, rounds: number, withChange: boolean) {
  const name = `contactdesk_bench_sla_${count}`;
  const url = await createMigratedDatabase(env.pg, name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    const id = await seed(pool, count);
    const priorities = ['low', 'normal', 'high', 'urgent'];
    const inTx = async (fn: (c: pg.PoolClient) => Promise<void>) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await fn(c);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };
    const plain = withChange
      ? await timeIt(rounds, (i) =>
          inTx(async (c) => {
            await lockTickets(c, [id]);
            await c.query(
              `UPDATE contact_submissions SET updated_at = now(), priority = $2::"TicketPriority" WHERE id = $1`,
              [id, priorities[i % 4]],
            );
          }),
        )
      : null;
    const change = withChange
      ? await timeIt(rounds, (i) =>
          inTx(async (c) => {
            const [ticket] = await lockTickets(c, [id]);
            await applyChanges(c, new Date(), [{ ticket: ticket!, set: { priority: priorities[(i + 1) % 4] } }]);
          }),
        )
      : null;
    const ctx = {
      db: { pool },
      clock: { now: () => new Date() },
      config: { SLA_WARN_MINUTES: 30 },
    } as unknown as AppContext;
    const sweep = await timeIt(Math.min(rounds, 50), () => sweepSlaAlerts(ctx));
    return { count, plain, change, sweep };
  } finally {
    await pool.end();
    await dropDatabase(env.pg, name);
  }
}

export async function benchSla(env: BenchEnv): Promise<BenchOutput> {
  const small = argNumber(env.args, 'small', 10_000);
  const large = argNumber(env.args, 'large', env.quick ? 50_000 : 200_000);
  const rounds = argNumber(env.args, 'rounds', env.quick ? 100 : 200);
  const s = await measure(env, small, rounds, true);
  const l = await measure(env, large, rounds, false);
  const ratio = s.change!.p50 / s.plain!.p50;
  printTable(
    'A priority change with its SLA recompute vs without (one ticket, 10-message thread)',
    ['variant', 'p50 ms', 'p95 ms', 'vs plain'],
    [
      ['plain change (lock + UPDATE)', s.plain!.p50.toFixed(2), s.plain!.p95.toFixed(2), '1.0x'],
      ['applyChanges + SLA recompute', s.change!.p50.toFixed(2), s.change!.p95.toFixed(2), `${ratio.toFixed(2)}x`],
    ],
  );
  printTable(
    'SLA alert sweep, nothing due',
    ['open tickets', 'p50 ms', 'p95 ms'],
    [s, l].map((r) => [r.count.toLocaleString('en-US'), r.sweep.p50.toFixed(2), r.sweep.p95.toFixed(2)]),
  );
  return {
    params: { small, large, rounds },
    measurements: { small: s, large: l, ratio },
    targets: [
      target('sla', 'priority change with SLA recompute vs plain change (p50)', ratio, '<=', 3, 'x'),
      target('sla', `alert sweep p95 at ${large.toLocaleString('en-US')} open tickets`, l.sweep.p95, '<=', 50, 'ms'),
    ],
  };
}

if (isMain(import.meta.url)) await standalone('sla', benchSla, { build: false });

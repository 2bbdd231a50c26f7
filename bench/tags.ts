// stats/overview's open_by_tag at scale (issue 14 §2, §6): the query the app runs (trigger-kept
// totals per tag plus uncompacted deltas, migration 20261203320000_tag_open_counts) against the
// plain join (every tag row joined with its ticket), on a small and a large database built
// here with raw SQL (30 % of tickets tagged with 1–3 of 40 tags, 6 % of tickets open). One client,
// in-process SQL (no HTTP): this is about the query's cost, which follows the number of tags.
// Targets (the stats targets): p95 ≤ 50 ms on the large database, large p50 ≤ 2× small
// p50, and faster than the join.
//   npm run bench:tags [-- --small 10000 --large 1000000 --rounds 40] (--quick: 10k / 200k)
import pg from 'pg';
import { openTicketsByTag, rebuildTagCounts } from '../src/tags/repository.js';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';

const OLD_JOIN = `SELECT g.name, count(*)::int AS n
  FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id JOIN contact_submissions c ON c.id = tt.ticket_id
  WHERE c.status IN ('pending', 'in_progress') GROUP BY g.name`;

async function seed(client: pg.Client, count: number): Promise<{ tagged: number; openTagged: number }> {
  // Triggers off for the bulk load (like bench/seed.ts); `open` is then set by hand, as the
  // triggers would have.
  await client.query("SET session_replication_role = 'replica'");
  await client.query(
    `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, category, status, created_at, updated_at)
     SELECT gen_random_uuid(), 'CONT-20260101-' || n, 'Customer ' || n, 'c' || n || '@example.com', 'Question ' || n, 'Body',
       'general', CASE WHEN n % 100 < 6 THEN 'pending' ELSE 'resolved' END::"TicketStatus", now(), now()
     FROM generate_series(1, $1::int) n`,
    [count],
  );
  await client.query(`INSERT INTO tags (name) SELECT 'tag-' || i FROM generate_series(1, 40) i`);
  await client.query(
    `INSERT INTO ticket_tags (ticket_id, tag_id, open)
     SELECT c.id, t.ids[1 + (hashint4((c.r * 3 + k)::int) & 2147483647) % 40], c.status IN ('pending', 'in_progress')
     FROM (SELECT id, status, row_number() OVER () AS r FROM contact_submissions) c
     CROSS JOIN (SELECT array_agg(id ORDER BY name) AS ids FROM tags) t
     CROSS JOIN LATERAL generate_series(0, (c.r % 3)::int) k
     WHERE c.r % 10 < 3
     ON CONFLICT DO NOTHING`,
  );
  await client.query("SET session_replication_role = 'origin'");
  await rebuildTagCounts(client);
  await client.query('VACUUM ANALYZE contact_submissions');
  await client.query('VACUUM ANALYZE ticket_tags');
  const { rows } = await client.query<{ tagged: number; open_tagged: number }>(
    'SELECT count(*)::int AS tagged, count(*) FILTER (WHERE open)::int AS open_tagged FROM ticket_tags',
  );
  return { tagged: rows[0]!.tagged, openTagged: rows[0]!.open_tagged };
}

async function timeIt(rounds: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 5; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(rounds * 0.5)]!, p95: times[Math.min(rounds - 1, Math.floor(rounds * 0.95))]! };
}

async function measure(env: BenchEnv, count: number, rounds: number) {
  const name = `contactdesk_bench_tags_${count}`;
  const url = await createMigratedDatabase(env.pg, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t0 = performance.now();
    const sizes = await seed(client, count);
    env.log(
      `${count.toLocaleString('en-US')} tickets seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s (${sizes.tagged} tag rows, ${sizes.openTagged} open)`,
    );
    const fresh = await openTicketsByTag(client);
    const { rows } = await client.query<{ name: string; n: number }>(OLD_JOIN);
    const old = Object.fromEntries(rows.map((r) => [r.name, r.n]));
    if (JSON.stringify(Object.entries(fresh).sort()) !== JSON.stringify(Object.entries(old).sort())) {
      throw new Error('open_by_tag and the plain join disagree');
    }
    const current = await timeIt(rounds, () => openTicketsByTag(client));
    const join = await timeIt(rounds, () => client.query(OLD_JOIN));
    return { count, ...sizes, current, join };
  } finally {
    await client.end();
    await dropDatabase(env.pg, name);
  }
}

export async function benchTags(env: BenchEnv): Promise<BenchOutput> {
  const small = argNumber(env.args, 'small', 10_000);
  const large = argNumber(env.args, 'large', env.quick ? 200_000 : 1_000_000);
  const rounds = argNumber(env.args, 'rounds', env.quick ? 20 : 40);
  const s = await measure(env, small, rounds);
  const l = await measure(env, large, rounds);
  printTable(
    'open_by_tag (stats/overview) vs the plain join',
    ['tickets', 'open tag rows', 'open_by_tag p50 ms', 'p95 ms', 'plain join p50 ms', 'p95 ms', 'join / open_by_tag'],
    [s, l].map((r) => [
      r.count.toLocaleString('en-US'),
      r.openTagged.toLocaleString('en-US'),
      r.current.p50.toFixed(2),
      r.current.p95.toFixed(2),
      r.join.p50.toFixed(2),
      r.join.p95.toFixed(2),
      `${(r.join.p50 / r.current.p50).toFixed(1)}x`,
    ]),
  );
  const growth = l.current.p50 / s.current.p50;
  const rowGrowth = l.openTagged / s.openTagged;
  return {
    params: { small, large, rounds },
    measurements: { small: s, large: l, growth, rowGrowth },
    targets: [
      target('tags', `open_by_tag p95 at ${large.toLocaleString('en-US')} tickets`, l.current.p95, '<=', 50, 'ms'),
      target(
        'tags',
        'open_by_tag faster than the plain join at the large size',
        l.join.p50 / l.current.p50,
        '>=',
        1,
        'x',
      ),
      // The issue's §6 rule for stats: the large database's time at most 2× the small one's.
      target('tags', 'open_by_tag p50 large / small', growth, '<=', 2, 'x'),
    ],
  };
}

if (isMain(import.meta.url)) await standalone('tags', benchTags, { build: false });

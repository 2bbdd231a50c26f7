// Bulk-loads N realistic tickets in one INSERT … SELECT generate_series (the data is generated
// inside PostgreSQL, so nothing crosses the wire): ~2 years of history skewed to recent days,
// old tickets mostly resolved/archived and recent ones pending/in progress, categories skewed to
// general/bug, ~20 moderators with uneven workloads, gapless per-day ticket numbers continuing
// ticket_counters, a first reply (sla_first_response_at) on every ticket taken up, SLA due times
// on every ticket. Secondary indexes are dropped during big loads and rebuilt after (much faster
// than maintaining a trigram GIN index row by row), then VACUUM ANALYZE.
//
//   npm run bench:seed -- --count 1000000 [--url postgresql://…]   (default url: DATABASE_URL)
import { rebuildTicketCounts } from '../src/contact/ticket-counts.js';
import { rebuildTicketStats } from '../src/stats/ticket-stats.js';
import pg from 'pg';
import { argNumber, argValue, isMain, log } from './lib/harness.js';
import { createMigratedDatabase, startBenchPostgres } from './lib/postgres.js';
import { printTable } from './lib/report.js';

const FIRST = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kofi',
  'Lena',
  'Mateo',
  'Nora',
  'Oskar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Ximena',
  'Yusuf',
  'Zoë',
  'Marie',
  'Lukas',
  'Sofia',
  'Noah',
  'Emma',
  'Liam',
  'Mia',
  'Ali',
  'Fatima',
  'Jan',
  'Eva',
  'Paul',
  'Sara',
  'Tom',
];
const LAST = [
  'Müller',
  'Smith',
  'García',
  'Rossi',
  'Nakamura',
  'Okafor',
  'Dubois',
  'Kowalski',
  'Jensen',
  'Silva',
  'Novak',
  'Andersson',
  'Schmidt',
  'Brown',
  'Kim',
  'Nguyen',
  'Hansen',
  'Costa',
  'Martin',
  'Weber',
  'Ivanova',
  'Patel',
  'Fischer',
  'Lopez',
  "O'Brien",
  'Yilmaz',
  'Bauer',
  'Wagner',
  'Moreau',
  'Khan',
];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'web.de', 'example.org', 'acme.io', 'mail.com'];
const SUBJECTS = [
  'Cannot log in to my account',
  'Password reset email never arrives',
  'Invoice is missing',
  'App crashes when I upload a file',
  'Feature request: dark mode',
  'Wrong amount charged',
  'How do I export my data?',
  'Please delete my account',
  'Error 500 on the settings page',
  'Spam messages from another user',
  'Two-factor code not accepted',
  'Question about pricing',
  'Search returns no results',
  'Sync is very slow',
  'Cannot change my email address',
  'Request for a copy of my data (GDPR)',
  'Broken link on the help page',
  'Notifications arrive twice',
  'Suggestion: keyboard shortcuts',
  'Mobile layout is cut off',
];
const SENTENCES = [
  'Hello, I have a problem since yesterday.',
  'It worked fine last week.',
  'I already tried clearing the cache and logging out.',
  'Could you please have a look as soon as possible?',
  'This happens on both Firefox and Chrome.',
  'Steps: open the page, click save, wait a few seconds.',
  'I attached nothing because the form does not allow files.',
  'Thanks in advance for your help!',
  'My colleague has the same issue.',
  'Is there a workaround in the meantime?',
  'The error message says "unexpected error".',
  'I am on the business plan.',
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/131.0',
  'Mozilla/5.0 (Macintosh) Safari/17.5',
  'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Mobile/15E148',
];

export const BENCH_MODERATOR_DOMAIN = 'contactdesk.bench';

export interface SeedTiming {
  count: number;
  loadSec: number;
  indexSec: number;
  vacuumSec: number;
  totalSec: number;
}

const lit = (values: string[]) => `ARRAY[${values.map((v) => pg.escapeLiteral(v)).join(',')}]::text[]`;

// status by age in days: fresh tickets are open, old ones resolved or archived.
const STATUS_SQL = `CASE
  WHEN age < 2  THEN CASE WHEN rs < 0.60 THEN 'pending' WHEN rs < 0.90 THEN 'in_progress' ELSE 'resolved' END
  WHEN age < 14 THEN CASE WHEN rs < 0.20 THEN 'pending' WHEN rs < 0.50 THEN 'in_progress' ELSE 'resolved' END
  WHEN age < 90 THEN CASE WHEN rs < 0.03 THEN 'pending' WHEN rs < 0.10 THEN 'in_progress'
                          WHEN rs < 0.85 THEN 'resolved' ELSE 'archived' END
  ELSE CASE WHEN rs < 0.01 THEN 'pending' WHEN rs < 0.02 THEN 'in_progress'
            WHEN rs < 0.42 THEN 'resolved' ELSE 'archived' END END`;
const CATEGORY_SQL = `CASE WHEN rc < 0.40 THEN 'general' WHEN rc < 0.65 THEN 'bug' WHEN rc < 0.77 THEN 'feature'
  WHEN rc < 0.85 THEN 'account' WHEN rc < 0.91 THEN 'data' WHEN rc < 0.95 THEN 'abuse' ELSE 'other' END`;

function insertSql(count: number): string {
  return `
WITH lists AS (
  SELECT ${lit(FIRST)} AS fn, ${lit(LAST)} AS ln, ${lit(DOMAINS)} AS dom, ${lit(SUBJECTS)} AS subj,
         ${lit(SENTENCES)} AS sent, ${lit(AGENTS)} AS ua,
         (SELECT array_agg(id ORDER BY email) FROM users WHERE email::text LIKE '%@${BENCH_MODERATOR_DOMAIN}') AS mods
), raw AS (
  -- age^1.4 skews the 2 years towards recent days (about 0.9 % of tickets are from the last day)
  SELECT g, 730 * power(random(), 1.4) AS age, random() AS rs, random() AS rc, random() AS ra,
         floor(random() * 1e9)::bigint AS rn
  FROM generate_series(1, ${count}) g
), shaped AS (
  SELECT g, rn, ra, now() - age * interval '1 day' AS created_at, age,
         (${STATUS_SQL})::"TicketStatus" AS status, (${CATEGORY_SQL})::"TicketCategory" AS category
  FROM raw
), numbered AS (
  SELECT s.*, (s.created_at AT TIME ZONE 'UTC')::date AS day,
         COALESCE(tc.last_value, 0)
           + row_number() OVER (PARTITION BY (s.created_at AT TIME ZONE 'UTC')::date ORDER BY s.created_at, s.g) AS seq
  FROM shaped s LEFT JOIN ticket_counters tc ON tc.day = (s.created_at AT TIME ZONE 'UTC')::date
), ins AS (
  INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, category, status,
    assigned_to_id, resolved_by_id, created_at, updated_at, resolved_at, admin_notes, resolution_notes,
    ip_address, user_agent, sla_first_response_at, sla_first_response_due_at, sla_resolution_due_at)
  SELECT gen_random_uuid(),
    'CONT-' || to_char(n.day, 'YYYYMMDD') || '-' || CASE WHEN n.seq < 10000 THEN lpad(n.seq::text, 4, '0') ELSE n.seq::text END,
    fn[1 + rn % 40] || ' ' || ln[1 + (rn / 40) % 30],
    lower(translate(fn[1 + rn % 40] || '.' || ln[1 + (rn / 40) % 30], 'üéëöç''', 'ueeoc')) || (rn % 997) || '@' || dom[1 + (rn / 1200) % 8],
    subj[1 + (rn / 9600) % 20] || CASE WHEN rn % 5 = 0 THEN ' (order ' || (100000 + rn % 900000) || ')' ELSE '' END,
    sent[1 + rn % 12] || ' ' || sent[1 + (rn / 12) % 12] || ' ' || sent[1 + (rn / 144) % 12],
    n.category, n.status,
    CASE WHEN (n.status = 'pending' AND n.ra < 0.9) OR n.ra > 0.97 THEN NULL
         ELSE mods[1 + floor(array_length(mods, 1) * power(n.ra, 1.5))::int] END,
    CASE WHEN n.status IN ('resolved', 'archived') THEN mods[1 + (n.rn % array_length(mods, 1))::int] END,
    n.created_at,
    CASE WHEN n.status IN ('resolved', 'archived') THEN n.created_at + least(n.age, 10) * n.ra * interval '1 day'
         ELSE n.created_at END,
    CASE WHEN n.status IN ('resolved', 'archived') THEN n.created_at + least(n.age, 10) * n.ra * interval '1 day' END,
    CASE WHEN n.rn % 7 = 0 THEN 'Customer called back, see thread.' ELSE '' END,
    CASE WHEN n.status IN ('resolved', 'archived') THEN 'Answered by email.' ELSE '' END,
    ('10.' || (n.rn % 256) || '.' || ((n.rn / 256) % 256) || '.' || ((n.rn / 65536) % 254 + 1))::inet,
    ua[1 + n.rn % 4],
    -- the first public reply: every ticket taken up has one, a quarter of the way to its resolution
    CASE WHEN n.status <> 'pending' THEN n.created_at + least(n.age, 10) * n.ra * 0.25 * interval '1 day' END,
    -- due times as the default policy sets them for a normal ticket (8 business hours / 3 business
    -- days), in calendar time: every ticket has them, as submitted ones do
    n.created_at + interval '1 day', n.created_at + interval '4 days'
  FROM numbered n CROSS JOIN lists
  RETURNING created_at
)
INSERT INTO ticket_counters (day, last_value)
SELECT (created_at AT TIME ZONE 'UTC')::date, count(*) FROM ins GROUP BY 1
ON CONFLICT (day) DO UPDATE SET last_value = ticket_counters.last_value + EXCLUDED.last_value`;
}

async function ensureModerators(client: pg.Client): Promise<void> {
  await client.query(
    `INSERT INTO users (id, email, name, role, is_active, created_at, updated_at)
     SELECT gen_random_uuid(), 'moderator' || lpad(i::text, 2, '0') || '@${BENCH_MODERATOR_DOMAIN}',
            (${lit(FIRST)})[1 + (i * 7) % 40] || ' ' || (${lit(LAST)})[1 + (i * 11) % 30],
            'moderator', true, now() - interval '800 days', now()
     FROM generate_series(1, 20) i
     ON CONFLICT (email) DO NOTHING`,
  );
}

export async function seedTickets(url: string, count: number, say: (m: string) => void = log): Promise<SeedTiming> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const t0 = performance.now();
  let t1: number;
  let t2: number;
  try {
    await client.query(`SET maintenance_work_mem = '512MB'`);
    await client.query(`SET work_mem = '256MB'`);
    // Bulk import: skip triggers (audit rows for synthetic data) and FK checks (ids come from users).
    await client
      .query(`SET session_replication_role = replica`)
      .catch(() => say('seed: not superuser, triggers stay on'));
    await ensureModerators(client);
    const bigLoad = count >= 50_000;
    const { rows: indexes } = bigLoad
      ? await client.query<{ name: string; def: string }>(
          `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = 'contact_submissions'::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
        )
      : { rows: [] };
    for (const ix of indexes) await client.query(`DROP INDEX ${pg.escapeIdentifier(ix.name)}`);
    say(
      `seed: inserting ${count.toLocaleString('en-US')} tickets${bigLoad ? ` (${indexes.length} indexes dropped)` : ''} ...`,
    );
    await client.query(insertSql(count));
    t1 = performance.now();
    for (const ix of indexes) await client.query(ix.def);
    t2 = performance.now();
    if (bigLoad) say(`seed: ${indexes.length} indexes rebuilt in ${((t2 - t1) / 1000).toFixed(1)} s`);
    // Triggers were off for the load: recount the totals and per-day stats the stats endpoint reads.
    await rebuildTicketCounts(client);
    await rebuildTicketStats(client);
    await client.query('VACUUM (ANALYZE) contact_submissions');
    await client.query('ANALYZE users');
    await client.query('ANALYZE ticket_counters');
    await client.query('VACUUM (ANALYZE) ticket_daily_stats, ticket_daily_durations, ticket_open_by_assignee');
  } finally {
    await client.end();
  }
  const t3 = performance.now();
  return {
    count,
    loadSec: (t1 - t0) / 1000,
    indexSec: (t2 - t1) / 1000,
    vacuumSec: (t3 - t2) / 1000,
    totalSec: (t3 - t0) / 1000,
  };
}

export function printSeedTiming(t: SeedTiming): void {
  printTable(
    `Seed of ${t.count.toLocaleString('en-US')} tickets`,
    ['step', 'seconds'],
    [
      ['INSERT … SELECT generate_series', t.loadSec],
      ['rebuild secondary indexes', t.indexSec],
      ['VACUUM ANALYZE', t.vacuumSec],
      ['total', t.totalSec],
      ['rows/s', t.count / t.totalSec],
    ],
  );
}

async function main() {
  const args = process.argv.slice(2);
  const count = argNumber(args, 'count', 1_000_000);
  const url = argValue(args, 'url') ?? process.env.DATABASE_URL;
  if (url) {
    printSeedTiming(await seedTickets(url, count));
    return;
  }
  // No target database: seed a scratch bench database (embedded unless BENCH_DATABASE_URL) to time it.
  const pgs = await startBenchPostgres(log);
  try {
    const dbUrl = await createMigratedDatabase(pgs, 'contactdesk_bench_seed');
    log(`no --url / DATABASE_URL: seeding scratch database ${new URL(dbUrl).pathname.slice(1)}`);
    printSeedTiming(await seedTickets(dbUrl, count));
  } finally {
    await pgs.stop();
  }
}

if (isMain(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

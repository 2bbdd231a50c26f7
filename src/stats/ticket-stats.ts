// Reads of the per-day ticket stats kept by the triggers of migrations 20261203600000
// (what a ticket contributes, and why inserts add directly while other changes append deltas),
// …600100 (no rows for unassigned) and …600200 (the insert trigger per row). Every read adds the
// unfolded deltas to the totals in the same statement; the worker folds them in every minute
// (compactTicketStats, src/jobs/sweeps.ts). Costs are O(days) rows plus, for a rolling window, at
// most half a day of index entries (windows.ts).
import type pg from 'pg';
import type { Db } from '../db/client.js';
import { withPgTransaction } from '../db/tx.js';
import { HISTOGRAM_MAX_RELATIVE_ERROR, histogramCount, histogramPercentiles, type Histogram } from './histogram.js';
import { utcDay } from '../shared/text.js';
import type { WindowPlan } from './windows.js';

export type TicketMetric = 'created' | 'resolved' | 'first_responded';
export type DurationMetric = Exclude<TicketMetric, 'created'>;

export type MetricCounts = Record<TicketMetric, number>;
export const zeroCounts = (): MetricCounts => ({ created: 0, resolved: 0, first_responded: 0 });

/**
 * Up to this many durations in a window the percentiles are computed exactly from the rows (an
 * index range scan of at most this many entries); above it, from the buckets.
 */
export const EXACT_PERCENTILE_LIMIT = 2_000;

// The per-day stat rows matching `where`, totals and unfolded deltas.
const DAILY = (where: string) => dayRowsSql('stats', { totals: where, deltas: where });
// The user of an assignee key ('' is the total's key: no user row).
const userOfKey = (isAssignee: string) =>
  `LEFT JOIN users u ON u.id = CASE WHEN ${isAssignee} AND x.key <> '' THEN x.key::uuid END`;

/** Adds a bind parameter and returns its placeholder ($n). */
export type Param = (value: unknown) => string;

// --- Parts of the overview's one statement (src/stats/activity.ts) -------------------------------
// Each is a SELECT whose rows activity.ts reads back as JSON; all run in one snapshot.

/** Totals per day and metric over [fromDay, toDay]: {day, metric, n}. */
export const dayTotalsSql = (p: Param, fromDay: string, toDay: string) =>
  `SELECT to_char(day, 'YYYY-MM-DD') AS day, metric, sum(n)::int AS n
   FROM (${DAILY(`dim = 'total' AND day >= ${p(fromDay)}::date AND day <= ${p(toDay)}::date`)}) x
   GROUP BY day, metric`;

/** The dimensions besides the day's total (the enum TicketStatDim of migration 20261203600000). */
export const BREAKDOWN_DIMS = ['category', 'priority', 'assignee'] as const;

/**
 * Which rows of a day range a part reads: `settled`, the totals up to `through` only — the sums
 * src/stats/settled-days.ts keeps between reads; `live`, the rest: the totals after `through` and
 * the deltas of the whole range. Settled + live = every row of the range.
 */
export type DayRows = { rows: 'settled' | 'live'; through: string };

function rangeOf(p: Param, fromDay: string, toDay: string, { rows, through }: DayRows) {
  const range = (a: string, b: string) => `day >= ${p(a)}::date AND day <= ${p(b)}::date`;
  if (rows === 'settled') return { totals: range(fromDay, through), deltas: null };
  return { totals: `day > ${p(through)}::date AND day <= ${p(toDay)}::date`, deltas: range(fromDay, toDay) };
}

function dayRowsSql(table: 'stats' | 'durations', where: { totals: string; deltas: string | null }, and = '') {
  const [main, deltas, cols] =
    table === 'stats'
      ? ['ticket_daily_stats', 'ticket_daily_stat_deltas', 'dim, day, metric, key, n, seconds']
      : ['ticket_daily_durations', 'ticket_daily_duration_deltas', 'day, metric, bucket, n'];
  const totals = `SELECT ${cols} FROM ${main} WHERE ${where.totals}${and}`;
  return where.deltas === null
    ? totals
    : `${totals} UNION ALL SELECT ${cols} FROM ${deltas} WHERE ${where.deltas}${and}`;
}

/**
 * Per-dimension sums over [fromDay, toDay]: {dim, metric, key, n, name, email}. The dimensions are
 * named (not `dim <> 'total'`) so the primary key (dim, day, …) serves the range: 1.6 ms instead
 * of a 4 ms scan of every day's rows at 1M tickets (two years of days). Summed before the users
 * are joined: the join then meets one row per key (~80) instead of one per day and key (~2,500).
 * Cached settled rows keep the names they were read with; a read that uses them gets the current
 * names with userNamesSql.
 */
export function breakdownSql(p: Param, fromDay: string, toDay: string, rows: DayRows): string {
  const dims = ` AND dim = ANY(${p(BREAKDOWN_DIMS)}::"TicketStatDim"[])`;
  return `SELECT x.dim, x.metric, x.key, x.n, u.name, u.email::text AS email
   FROM (SELECT dim, metric, key, sum(n)::int AS n
         FROM (${dayRowsSql('stats', rangeOf(p, fromDay, toDay, rows), dims)}) d GROUP BY dim, metric, key) x
   ${userOfKey(`x.dim = 'assignee'`)}`;
}

/** The name and email of users by id: {key, name, email}. */
export const userNamesSql = (p: Param, ids: readonly string[]) =>
  `SELECT id::text AS key, name, email::text AS email FROM users WHERE id = ANY(${p(ids)}::uuid[])`;

/** Bucket counts per duration metric, one count per window (days from its fromDay): {metric, bucket, n[]}. */
export function durationsSql(p: Param, fromDays: readonly string[], toDay: string, rows: DayRows): string {
  const from = [...fromDays].sort()[0]!;
  const sums = fromDays.map((d) => `coalesce(sum(n) FILTER (WHERE day >= ${p(d)}::date), 0)::int`);
  return `SELECT metric, bucket, ARRAY[${sums.join(', ')}] AS n
   FROM (${dayRowsSql('durations', rangeOf(p, from, toDay, rows))}) x GROUP BY metric, bucket`;
}

// A window's cut first day, straight from the tickets: index-only scans on created_at,
// resolved_at (INCLUDE created_at, status) and sla_first_response_at (INCLUDE created_at). The
// bucket comes from ticket_stat_seconds, the function ticket_stat_facts (the triggers) uses.
// Per metric: the moment that places a ticket in a day, its duration bucket, and which count.
const EDGE_ROWS: Record<TicketMetric, { at: string; bucket: string; where: string }> = {
  created: { at: 'created_at', bucket: 'NULL::smallint', where: '' },
  resolved: {
    at: 'resolved_at',
    bucket: 'ticket_stat_bucket(ticket_stat_seconds(created_at, resolved_at))',
    where: ` AND status IN ('resolved', 'archived')`,
  },
  first_responded: {
    at: 'sla_first_response_at',
    bucket: 'ticket_stat_bucket(ticket_stat_seconds(created_at, sla_first_response_at))',
    where: '',
  },
};

const edgeCountSql = (metric: TicketMetric, a: string, b: string) => {
  const e = EDGE_ROWS[metric];
  return `SELECT ${e.bucket} AS bucket, count(*)::int AS n FROM contact_submissions
     WHERE ${e.at} >= ${a} AND ${e.at} < ${b}${e.where} GROUP BY 1`;
};

/**
 * A whole cut day's rows in time order, for the settled-days cache (any window start on that day
 * is then a binary search): {metric, day, at: epoch ms[], bucket: (number | null)[]}.
 */
export function cutDayRowsSql(p: Param, cuts: ReadonlyArray<{ metric: TicketMetric; day: string }>): string | null {
  const parts = cuts.map(({ metric, day }) => {
    const e = EDGE_ROWS[metric];
    const from = new Date(`${day}T00:00:00Z`);
    const to = new Date(from.getTime() + 86_400_000);
    return `SELECT ${p(metric)}::text AS metric, ${p(day)}::text AS day,
       coalesce(array_agg((date_part('epoch', ${e.at}) * 1000)::bigint ORDER BY ${e.at}), '{}') AS at,
       coalesce(array_agg(${e.bucket} ORDER BY ${e.at}), '{}') AS bucket
     FROM contact_submissions WHERE ${e.at} >= ${p(from)}::timestamptz AND ${e.at} < ${p(to)}::timestamptz${e.where}`;
  });
  return parts.length ? parts.join('\nUNION ALL\n') : null;
}

export interface WindowPart {
  id: string;
  metric: TicketMetric;
  plan: WindowPlan;
}

/** The signed edge counts of windows, by bucket (null for created): {id, bucket, n}; null if none. */
export function edgesSql(p: Param, windows: readonly WindowPart[]): string | null {
  const parts = windows
    .filter((w) => w.plan.edge)
    .map((w) => {
      const e = w.plan.edge!;
      return `SELECT ${p(w.id)}::text AS id, e.bucket, e.n * ${e.sign} AS n FROM (${edgeCountSql(w.metric, `${p(e.from)}::timestamptz`, `${p(e.to)}::timestamptz`)}) e(bucket, n)`;
    });
  return parts.length ? parts.join('\nUNION ALL\n') : null;
}

// Exact percentile_cont of a window, reading at most EXACT_PERCENTILE_LIMIT + 1 rows: n above the
// limit means "too many, use the buckets" (and cost a bounded index range).
const EXACT_SQL: Record<DurationMetric, (a: string, b: string) => string> = {
  resolved: (a, b) => `SELECT extract(epoch FROM resolved_at - created_at) AS s FROM contact_submissions
     WHERE status IN ('resolved', 'archived') AND resolved_at >= ${a} AND resolved_at <= ${b}`,
  first_responded: (
    a,
    b,
  ) => `SELECT extract(epoch FROM sla_first_response_at - created_at) AS s FROM contact_submissions
     WHERE sla_first_response_at >= ${a} AND sla_first_response_at <= ${b}`,
};

/**
 * {id, n, pct: [median, p90] | null} per window; n > EXACT_PERCENTILE_LIMIT: not exact. A window
 * whose whole days alone (the days after its cut day, from the daily totals) already hold more
 * than the limit gets no row and no scan: it is read from the buckets. On a busy desk that is
 * every window, and the scan of LIMIT + 1 rows it saves cost ~1 ms per window (bench:stats, 1M).
 */
export function exactPercentilesSql(
  p: Param,
  windows: ReadonlyArray<WindowPart & { metric: DurationMetric }>,
  end: Date,
) {
  const toDay = utcDay(end);
  return windows
    .map((w) => {
      const fewEnough = `(SELECT coalesce(sum(n), 0) FROM (${DAILY(
        `dim = 'total' AND metric = ${p(w.metric)}::"TicketMetric" AND day > ${p(utcDay(w.plan.start))}::date AND day <= ${p(toDay)}::date`,
      )}) c) <= ${EXACT_PERCENTILE_LIMIT}`;
      const rows = EXACT_SQL[w.metric](`${p(w.plan.start)}::timestamptz`, `${p(end)}::timestamptz`);
      return `SELECT ${p(w.id)}::text AS id, count(*)::int AS n,
         percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY s)::float8[] AS pct
       FROM (SELECT s FROM (${rows}) r WHERE ${fewEnough} LIMIT ${EXACT_PERCENTILE_LIMIT + 1}) w
       HAVING ${fewEnough}`;
    })
    .join('\nUNION ALL\n');
}

/** Open tickets per assignee ('' = unassigned) with the user: {key, name, email, open}. */
export const openByAssigneeSql = () =>
  `SELECT x.key, min(u.name) AS name, min(u.email::text) AS email, sum(x.n)::int AS open
   FROM (SELECT key, n FROM ticket_open_by_assignee UNION ALL SELECT key, n FROM ticket_open_by_assignee_deltas) x
   ${userOfKey('true')}
   GROUP BY x.key HAVING sum(x.n) <> 0`;

export interface DurationStats {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
  /** exact: percentile_cont over the rows (small windows); histogram: from the buckets. */
  method: 'exact' | 'histogram';
  /** Bound on the relative error of the two percentiles (0 when exact; ±0.5 s rounding aside). */
  maxRelativeError: number;
}

/** A window's median and p90: exact when it had few enough rows, else from its buckets. */
export function durationStats(
  histogram: Histogram,
  exact: { n: number; pct: number[] | null } | undefined,
): DurationStats {
  if (exact && exact.n <= EXACT_PERCENTILE_LIMIT) {
    return {
      count: exact.n,
      medianSeconds: exact.pct ? Math.round(exact.pct[0]!) : null,
      p90Seconds: exact.pct ? Math.round(exact.pct[1]!) : null,
      method: 'exact',
      maxRelativeError: 0,
    };
  }
  const [median, p90] = histogramPercentiles(histogram, [0.5, 0.9]);
  return {
    count: histogramCount(histogram),
    medianSeconds: median ?? null,
    p90Seconds: p90 ?? null,
    method: 'histogram',
    maxRelativeError: HISTOGRAM_MAX_RELATIVE_ERROR,
  };
}

/**
 * Tickets created per day and category over [fromDay, toDay] (the panel dashboard), as a part of
 * its snapshot read: {day, category, n}; `rows` as for breakdownSql (settled days: cached).
 */
export const createdPerDayAndCategorySql = (p: Param, fromDay: string, toDay: string, rows: DayRows) =>
  `SELECT to_char(day, 'YYYY-MM-DD') AS day, key AS category, sum(n)::int AS n
   FROM (${dayRowsSql('stats', rangeOf(p, fromDay, toDay, rows), ` AND dim = 'category' AND metric = 'created'`)}) x
   GROUP BY day, key`;

const COMPACTION_LOCK = 72_707_371;

/**
 * Folds the deltas into the totals; returns how many were folded. One compactor at a time. It
 * gives up (0, the next minute retries) rather than wait behind a submit batch holding a day's
 * total row: lock_timeout ends the wait long before deadlock detection would pick a victim.
 */
export async function compactTicketStats(db: Db): Promise<number> {
  try {
    return await withPgTransaction(db, async (client) => {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        COMPACTION_LOCK,
      ]);
      if (!rows[0]?.locked) return 0;
      await client.query(`SET LOCAL lock_timeout = '200ms'`);
      const { rows: moved } = await client.query<{ n: number }>(
        `WITH d AS (DELETE FROM ticket_daily_stat_deltas RETURNING dim, day, metric, key, n, seconds),
         s AS (INSERT INTO ticket_daily_stats AS t (dim, day, metric, key, n, seconds)
               SELECT dim, day, metric, key, sum(n), sum(seconds) FROM d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
               ON CONFLICT (dim, day, metric, key) DO UPDATE SET n = t.n + EXCLUDED.n, seconds = t.seconds + EXCLUDED.seconds),
         h AS (DELETE FROM ticket_daily_duration_deltas RETURNING day, metric, bucket, n),
         hs AS (INSERT INTO ticket_daily_durations AS t (day, metric, bucket, n)
               SELECT day, metric, bucket, sum(n) FROM h GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
               ON CONFLICT (day, metric, bucket) DO UPDATE SET n = t.n + EXCLUDED.n),
         o AS (DELETE FROM ticket_open_by_assignee_deltas RETURNING key, n),
         os AS (INSERT INTO ticket_open_by_assignee AS t (key, n)
               SELECT key, sum(n) FROM o GROUP BY 1 ORDER BY 1
               ON CONFLICT (key) DO UPDATE SET n = t.n + EXCLUDED.n)
         SELECT ((SELECT count(*) FROM d) + (SELECT count(*) FROM h) + (SELECT count(*) FROM o))::int AS n`,
      );
      return moved[0]?.n ?? 0;
    });
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') return 0;
    throw err;
  }
}

/**
 * Recounts every stat from the tickets (ticket_stats_rebuild in the migration). Only needed after
 * writes made with triggers switched off (a bulk import, as bench/seed.ts does).
 */
export async function rebuildTicketStats(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT ticket_stats_rebuild()');
}

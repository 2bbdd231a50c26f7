// Reads of the per-day ticket stats kept by the triggers of migration 20261203600000_ticket_daily_stats
// (what a ticket contributes, and why inserts add directly while other changes append deltas, is
// explained there). Every read adds the unfolded deltas to the totals in the same statement; the
// worker folds them in every minute (compactTicketStats, src/jobs/sweeps.ts). Costs are O(days)
// rows plus, for a rolling window, at most half a day of index entries (windows.ts).
import type pg from 'pg';
import type { Db } from '../db/client.js';
import { withPgTransaction } from '../db/tx.js';
import {
  addToHistogram,
  HISTOGRAM_MAX_RELATIVE_ERROR,
  histogramCount,
  histogramPercentiles,
  type Histogram,
} from './histogram.js';
import type { WindowPlan } from './windows.js';

export type TicketMetric = 'created' | 'resolved' | 'first_responded';
export type DurationMetric = Exclude<TicketMetric, 'created'>;
export type BreakdownDim = 'category' | 'priority' | 'assignee';

export type MetricCounts = Record<TicketMetric, number>;
const zeroCounts = (): MetricCounts => ({ created: 0, resolved: 0, first_responded: 0 });

/**
 * Below this many durations in a window the percentiles are computed exactly from the rows (an
 * index range scan of at most this many entries); above it, from the buckets.
 */
export const EXACT_PERCENTILE_LIMIT = 2_000;

const SUM = (table: string, deltas: string, cols: string, where: string) =>
  `SELECT ${cols} FROM ${table} WHERE ${where} UNION ALL SELECT ${cols} FROM ${deltas} WHERE ${where}`;
const DAILY = (where: string) =>
  SUM('ticket_daily_stats', 'ticket_daily_stat_deltas', 'dim, day, metric, key, n, seconds', where);
const DURATIONS = (where: string) =>
  SUM('ticket_daily_durations', 'ticket_daily_duration_deltas', 'day, metric, bucket, n', where);
// The user of an assignee key ('' is "unassigned": no user row).
const userOfKey = (isAssignee: string) =>
  `LEFT JOIN users u ON u.id = CASE WHEN ${isAssignee} AND x.key <> '' THEN x.key::uuid END`;

export interface DailyTotals {
  /** YYYY-MM-DD → counts, for the days asked for (missing days are zero). */
  days: Map<string, MetricCounts>;
}

export interface BreakdownRow {
  dim: BreakdownDim;
  /** The category / priority value, or the user id ('' = unassigned). */
  key: string;
  name: string | null;
  email: string | null;
  counts: MetricCounts;
}

/** Totals per day from `fromDay`, and the per-dimension sums over [breakdownFrom, toDay]. */
export async function readDailyStats(
  db: Db,
  range: { fromDay: string; breakdownFrom: string; toDay: string },
): Promise<{ totals: DailyTotals; breakdown: BreakdownRow[] }> {
  const { rows } = await db.pool.query<{
    part: 'day' | 'dim';
    dim: 'total' | BreakdownDim;
    day: string | null;
    metric: TicketMetric;
    key: string;
    n: number;
    name: string | null;
    email: string | null;
  }>(
    `SELECT 'day' AS part, 'total' AS dim, to_char(day, 'YYYY-MM-DD') AS day, metric, '' AS key, sum(n)::int AS n,
            NULL AS name, NULL AS email
     FROM (${DAILY(`dim = 'total' AND day >= $1::date AND day <= $3::date`)}) x GROUP BY day, metric
     UNION ALL
     SELECT 'dim', x.dim::text, NULL, x.metric, x.key, sum(x.n)::int, min(u.name), min(u.email::text)
     FROM (${DAILY(`dim <> 'total' AND day >= $2::date AND day <= $3::date`)}) x ${userOfKey(`x.dim = 'assignee'`)}
     GROUP BY x.dim, x.metric, x.key`,
    [range.fromDay, range.breakdownFrom, range.toDay],
  );
  const days = new Map<string, MetricCounts>();
  const byKey = new Map<string, BreakdownRow>();
  for (const r of rows) {
    if (r.part === 'day') {
      const c = days.get(r.day!) ?? zeroCounts();
      c[r.metric] += r.n;
      days.set(r.day!, c);
      continue;
    }
    const id = `${r.dim}:${r.key}`;
    const row = byKey.get(id) ?? {
      dim: r.dim as BreakdownDim,
      key: r.key,
      name: r.name,
      email: r.email,
      counts: zeroCounts(),
    };
    row.counts[r.metric] += r.n;
    byKey.set(id, row);
  }
  return { totals: { days }, breakdown: [...byKey.values()] };
}

/** Sum of a metric over the days of a window from the aggregates (edge not included). */
export function sumDays(totals: DailyTotals, metric: TicketMetric, fromDay: string): number {
  let sum = 0;
  for (const [day, c] of totals.days) if (day >= fromDay) sum += c[metric];
  return sum;
}

// Edge parts of windows, straight from the tickets: index-only scans on created_at,
// resolved_at (INCLUDE created_at, status) and sla_first_response_at (INCLUDE created_at).
const EDGE_SQL: Record<TicketMetric, (a: string, b: string) => string> = {
  created: (a, b) =>
    `SELECT NULL::smallint AS bucket, count(*)::int AS n FROM contact_submissions WHERE created_at >= ${a} AND created_at < ${b}`,
  resolved: (a, b) =>
    `SELECT ticket_stat_bucket(f.seconds), count(*)::int FROM contact_submissions t
       CROSS JOIN LATERAL ticket_stat_facts(t.status, t.created_at, t.resolved_at, NULL) f
     WHERE t.resolved_at >= ${a} AND t.resolved_at < ${b} AND f.metric = 'resolved' GROUP BY 1`,
  first_responded: (a, b) =>
    `SELECT ticket_stat_bucket(f.seconds), count(*)::int FROM contact_submissions t
       CROSS JOIN LATERAL ticket_stat_facts('pending', t.created_at, NULL, t.sla_first_response_at) f
     WHERE t.sla_first_response_at >= ${a} AND t.sla_first_response_at < ${b} AND f.metric = 'first_responded' GROUP BY 1`,
};

export interface EdgeRequest {
  id: string;
  metric: TicketMetric;
  plan: WindowPlan;
}

/** The signed edge counts of the given windows, by bucket (bucket null for created). One query. */
export async function readEdges(
  db: Db,
  requests: readonly EdgeRequest[],
): Promise<Map<string, Array<{ bucket: number | null; n: number }>>> {
  const params: Date[] = [];
  const parts: string[] = [];
  for (const r of requests) {
    if (!r.plan.edge) continue;
    params.push(r.plan.edge.from, r.plan.edge.to);
    const sql = EDGE_SQL[r.metric](`$${params.length - 1}`, `$${params.length}`);
    parts.push(`SELECT ${pgLiteral(r.id)} AS id, e.bucket, e.n * ${r.plan.edge.sign} AS n FROM (${sql}) e(bucket, n)`);
  }
  const out = new Map<string, Array<{ bucket: number | null; n: number }>>();
  if (!parts.length) return out;
  const { rows } = await db.pool.query<{ id: string; bucket: number | null; n: number }>(
    parts.join('\nUNION ALL\n'),
    params,
  );
  for (const r of rows) {
    const list = out.get(r.id) ?? [];
    list.push({ bucket: r.bucket, n: r.n });
    out.set(r.id, list);
  }
  return out;
}

// Window ids are chosen by this module's callers from fixed names; still quoted properly.
const pgLiteral = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Bucket counts per duration metric over each window's aggregated days (edge not included). */
export async function readDurationHistograms(
  db: Db,
  windows: ReadonlyArray<{ id: string; plan: WindowPlan }>,
  toDay: string,
): Promise<Map<string, Record<DurationMetric, Histogram>>> {
  const from = windows.map((w) => w.plan.fromDay).sort()[0]!;
  const { rows } = await db.pool.query<{ metric: DurationMetric; bucket: number; n: number[] }>(
    `SELECT metric, bucket, ARRAY[${windows.map((_, i) => `coalesce(sum(n) FILTER (WHERE day >= $${i + 3}::date), 0)::int`).join(', ')}] AS n
     FROM (${DURATIONS(`day >= $1::date AND day <= $2::date`)}) x GROUP BY metric, bucket`,
    [from, toDay, ...windows.map((w) => w.plan.fromDay)],
  );
  const out = new Map<string, Record<DurationMetric, Histogram>>();
  windows.forEach((w, i) => {
    const h: Record<DurationMetric, Histogram> = { resolved: new Map(), first_responded: new Map() };
    for (const r of rows) if (r.n[i]) addToHistogram(h[r.metric], r.bucket, r.n[i]!);
    out.set(w.id, h);
  });
  return out;
}

export interface DurationStats {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
  /** exact: percentile_cont over the rows (small windows); histogram: from the buckets. */
  method: 'exact' | 'histogram';
  /** Bound on the relative error of the two percentiles (0 when exact; ±0.5 s rounding aside). */
  maxRelativeError: number;
}

const EXACT_SQL: Record<DurationMetric, string> = {
  resolved: `SELECT count(*)::int AS n,
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at))::float8[] AS pct
     FROM contact_submissions WHERE status IN ('resolved', 'archived') AND resolved_at >= $1 AND resolved_at <= $2`,
  first_responded: `SELECT count(*)::int AS n,
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM sla_first_response_at - created_at))::float8[] AS pct
     FROM contact_submissions WHERE sla_first_response_at >= $1 AND sla_first_response_at <= $2`,
};

/** Median and p90 of a window: from its histogram, or exactly when the window is small. */
export async function durationStats(
  db: Db,
  metric: DurationMetric,
  histogram: Histogram,
  window: { start: Date; end: Date },
): Promise<DurationStats> {
  const count = histogramCount(histogram);
  if (count <= EXACT_PERCENTILE_LIMIT) {
    const { rows } = await db.pool.query<{ n: number; pct: [number, number] | null }>(EXACT_SQL[metric], [
      window.start,
      window.end,
    ]);
    const r = rows[0]!;
    return {
      count: r.n,
      medianSeconds: r.pct ? Math.round(r.pct[0]) : null,
      p90Seconds: r.pct ? Math.round(r.pct[1]) : null,
      method: 'exact',
      maxRelativeError: 0,
    };
  }
  const [median, p90] = histogramPercentiles(histogram, [0.5, 0.9]);
  return {
    count,
    medianSeconds: median ?? null,
    p90Seconds: p90 ?? null,
    method: 'histogram',
    maxRelativeError: HISTOGRAM_MAX_RELATIVE_ERROR,
  };
}

/** Open tickets per assignee ('' = unassigned) with the user's name and email. */
export async function readOpenByAssignee(
  db: Db,
): Promise<Array<{ key: string; name: string | null; email: string | null; open: number }>> {
  const { rows } = await db.pool.query<{ key: string; name: string | null; email: string | null; open: number }>(
    `SELECT x.key, min(u.name) AS name, min(u.email::text) AS email, sum(x.n)::int AS open
     FROM (SELECT key, n FROM ticket_open_by_assignee UNION ALL SELECT key, n FROM ticket_open_by_assignee_deltas) x
     ${userOfKey('true')}
     GROUP BY x.key HAVING sum(x.n) <> 0`,
  );
  return rows;
}

/** Tickets created per day and category over [fromDay, toDay] (the panel dashboard). */
export async function readCreatedPerDayAndCategory(
  db: Db,
  fromDay: string,
  toDay: string,
): Promise<Array<{ day: string; category: string; n: number }>> {
  const { rows } = await db.pool.query<{ day: string; category: string; n: number }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, key AS category, sum(n)::int AS n
     FROM (${DAILY(`dim = 'category' AND metric = 'created' AND day >= $1::date AND day <= $2::date`)}) x
     GROUP BY day, key`,
    [fromDay, toDay],
  );
  return rows;
}

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

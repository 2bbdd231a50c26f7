// The time-based figures of stats/overview, from the per-day stats: tickets created in the last
// 24 h / 7 / 30 days, median and p90 time to resolution and to first response over 7 / 30 days,
// the last 30 days per category, priority and assignee, and open tickets per assignee. One
// statement whatever the number of tickets: O(days) aggregate rows, at most half a day of index
// entries per window edge, at most EXACT_PERCENTILE_LIMIT + 1 rows per exact percentile try.
import { createHash } from 'node:crypto';
import type { Db } from '../db/client.js';
import { utcDay } from '../shared/text.js';
import { addToHistogram, type Histogram } from './histogram.js';
import {
  BREAKDOWN_DIMS,
  breakdownSql,
  dayTotalsSql,
  durationsSql,
  durationStats,
  edgesSql,
  exactPercentilesSql,
  openByAssigneeSql,
  zeroCounts,
  type DurationMetric,
  type DurationStats,
  type MetricCounts,
  type TicketMetric,
  type WindowPart,
} from './ticket-stats.js';
import { firstDayOf, planWindow, windowDays } from './windows.js';

export type { DurationStats, MetricCounts };

export interface ActivityBreakdown {
  /** The last 30 UTC days including today: [fromDay, toDay]. */
  fromDay: string;
  toDay: string;
  counts: MetricCounts;
  byCategory: Record<string, MetricCounts>;
  byPriority: Record<string, MetricCounts>;
  /** Per current assignee; id null = unassigned. */
  byAssignee: Array<{ id: string | null; name: string | null; email: string | null } & MetricCounts>;
}

export interface ActivityStats {
  createdLast24h: number;
  createdLast7d: number;
  createdLast30d: number;
  resolutionTime7d: DurationStats;
  resolutionTime30d: DurationStats;
  firstResponseTime7d: DurationStats;
  firstResponseTime30d: DurationStats;
  last30d: ActivityBreakdown;
  /** Assigned users with open tickets (unassigned left out), most open first. */
  openByAssignee: Array<{ id: string; name: string; email: string; open: number }>;
}

const BREAKDOWN_DAYS = 30;
const METRICS = ['created', 'resolved', 'first_responded'] as const;

interface BreakdownRow {
  dim: (typeof BREAKDOWN_DIMS)[number];
  /** The category / priority value, or the user id. */
  key: string;
  name: string | null;
  email: string | null;
  counts: MetricCounts;
}

interface Snapshot {
  days: Array<{ day: string; metric: TicketMetric; n: number }>;
  breakdown: Array<{
    dim: BreakdownRow['dim'];
    metric: TicketMetric;
    key: string;
    n: number;
    name: string | null;
    email: string | null;
  }>;
  durations: Array<{ metric: DurationMetric; bucket: number; n: number[] }>;
  edges: Array<{ id: string; bucket: number | null; n: number }>;
  exact: Array<{ id: string; n: number; pct: number[] | null }>;
  open: Array<{ key: string; name: string | null; email: string | null; open: number }>;
}

const statementNames = new Map<string, string>();
/** One prepared-statement name per distinct text (pg prepares it once per connection). */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `stats_activity_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

export async function readActivityStats(db: Db, now: Date): Promise<ActivityStats> {
  const plans = {
    d1: planWindow(now, windowDays(1)),
    d7: planWindow(now, windowDays(7)),
    d30: planWindow(now, windowDays(30)),
  };
  const toDay = utcDay(now);
  const breakdownFrom = firstDayOf(now, BREAKDOWN_DAYS);
  const durationWindows = (['d7', 'd30'] as const).flatMap((w) =>
    (['resolved', 'first_responded'] as const).map((metric) => ({ id: `${metric}:${w}`, metric, plan: plans[w] })),
  );
  const windows: WindowPart[] = [
    ...(['d1', 'd7', 'd30'] as const).map((w) => ({ id: `created:${w}`, metric: 'created' as const, plan: plans[w] })),
    ...durationWindows,
  ];

  // One statement, so one round trip and one snapshot for every figure.
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const json = (sql: string | null) =>
    sql ? `(SELECT coalesce(json_agg(r), '[]'::json) FROM (${sql}) r)` : `'[]'::json`;
  const fromDays = [plans.d7.fromDay, plans.d30.fromDay];
  const text = `SELECT ${json(dayTotalsSql(p, [plans.d30.fromDay, breakdownFrom].sort()[0]!, toDay))} AS days,
       ${json(breakdownSql(p, breakdownFrom, toDay))} AS breakdown,
       ${json(durationsSql(p, fromDays, toDay))} AS durations,
       ${json(edgesSql(p, windows))} AS edges,
       ${json(exactPercentilesSql(p, durationWindows, now))} AS exact,
       ${json(openByAssigneeSql())} AS open`;
  // A named (prepared) statement: planning this statement took 3–5 ms of its ~10 (bench:stats at
  // 1M). Its text only varies with which windows have a cut edge, so a handful of names at most.
  const { rows } = await db.pool.query<Snapshot>({ name: statementName(text), text, values: params });
  const snap = rows[0]!;

  const days = new Map<string, MetricCounts>();
  for (const r of snap.days) {
    const c = days.get(r.day) ?? zeroCounts();
    c[r.metric] += r.n;
    days.set(r.day, c);
  }
  const edgeOf = (id: string) => snap.edges.filter((e) => e.id === id);
  const created = (w: 'd1' | 'd7' | 'd30') => {
    let n = edgeOf(`created:${w}`).reduce((s, e) => s + e.n, 0);
    for (const [day, c] of days) if (day >= plans[w].fromDay) n += c.created;
    return n;
  };
  const duration = (w: 'd7' | 'd30', metric: DurationMetric): DurationStats => {
    const id = `${metric}:${w}`;
    const h: Histogram = new Map();
    const i = fromDays.indexOf(plans[w].fromDay);
    for (const r of snap.durations) if (r.metric === metric && r.n[i]) addToHistogram(h, r.bucket, r.n[i]!);
    for (const e of edgeOf(id)) addToHistogram(h, e.bucket!, e.n);
    return durationStats(
      h,
      snap.exact.find((x) => x.id === id),
    );
  };
  const byKey = new Map<string, BreakdownRow>();
  for (const r of snap.breakdown) {
    const row = byKey.get(`${r.dim}:${r.key}`) ?? {
      dim: r.dim,
      key: r.key,
      name: r.name,
      email: r.email,
      counts: zeroCounts(),
    };
    row.counts[r.metric] += r.n;
    byKey.set(`${r.dim}:${r.key}`, row);
  }

  return {
    createdLast24h: created('d1'),
    createdLast7d: created('d7'),
    createdLast30d: created('d30'),
    resolutionTime7d: duration('d7', 'resolved'),
    resolutionTime30d: duration('d30', 'resolved'),
    firstResponseTime7d: duration('d7', 'first_responded'),
    firstResponseTime30d: duration('d30', 'first_responded'),
    last30d: breakdown([...byKey.values()], days, breakdownFrom, toDay),
    openByAssignee: snap.open
      .filter((r) => r.key !== '' && r.name !== null && r.open > 0)
      .map((r) => ({ id: r.key, name: r.name!, email: r.email!, open: r.open }))
      .sort((a, b) => b.open - a.open || a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
  };
}

function breakdown(
  rows: BreakdownRow[],
  days: Map<string, MetricCounts>,
  fromDay: string,
  toDay: string,
): ActivityBreakdown {
  const counts: MetricCounts = { created: 0, resolved: 0, first_responded: 0 };
  for (const [day, c] of days) {
    if (day < fromDay || day > toDay) continue;
    counts.created += c.created;
    counts.resolved += c.resolved;
    counts.first_responded += c.first_responded;
  }
  // Unassigned tickets have no rows of their own (migration 20261203600100): the rest of the total.
  const assigned = rows
    .filter((r) => r.dim === 'assignee')
    .map((r) => ({ id: r.key as string | null, name: r.name, email: r.email, ...r.counts }));
  const unassigned = { ...counts };
  for (const a of assigned) for (const m of METRICS) unassigned[m] -= a[m];
  const pick = (dim: BreakdownRow['dim']) =>
    Object.fromEntries(rows.filter((r) => r.dim === dim).map((r) => [r.key, r.counts]));
  return {
    fromDay,
    toDay,
    counts,
    byCategory: pick('category'),
    byPriority: pick('priority'),
    byAssignee: [...assigned, { id: null, name: null, email: null, ...unassigned }]
      .filter((r) => r.created || r.resolved || r.first_responded)
      .sort((a, b) => b.created + b.resolved - (a.created + a.resolved) || (a.name ?? '').localeCompare(b.name ?? '')),
  };
}

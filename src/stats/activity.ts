// The time-based figures of stats/overview, from the per-day stats: tickets created in the last
// 24 h / 7 / 30 days, median and p90 time to resolution and to first response over 7 / 30 days,
// the last 30 days per category, priority and assignee, and open tickets per assignee. One
// statement whatever the number of tickets: O(days) aggregate rows, at most half a day of index
// entries per window edge, at most EXACT_PERCENTILE_LIMIT + 1 rows per exact percentile try; and
// the largest of those aggregate reads, over days before yesterday, usually not at all: they are
// kept between reads while the database's epoch says they still hold (settled-days.ts).
import type { SnapshotQuery } from '../db/snapshot.js';
import { utcDay } from '../shared/text.js';
import { addToHistogram, type Histogram } from './histogram.js';
import {
  BREAKDOWN_DIMS,
  breakdownSql,
  cutDayRowsSql,
  dayTotalsSql,
  durationsSql,
  durationStats,
  edgesSql,
  exactPercentilesSql,
  openByAssigneeSql,
  userNamesSql,
  zeroCounts,
  type DurationMetric,
  type DurationStats,
  type MetricCounts,
  type TicketMetric,
  type WindowPart,
} from './ticket-stats.js';
import { addSettledParts, settledThrough } from './settled-days.js';
import { firstDayOf, planWindow, windowDays, type WindowPlan } from './windows.js';

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

/** Adds the parts of the activity figures to a snapshot read; the function returned reads them back. */
export function addActivityParts(q: SnapshotQuery, now: Date): (row: Record<string, unknown>) => ActivityStats {
  // A window whose cut day is settled counts that day from the day's cached rows (any start is a
  // binary search), so it reads only whole days from the aggregates; the others plan an edge.
  const through = settledThrough(now);
  const plan = (length: number): WindowPlan => {
    const p = planWindow(now, length);
    const cutDay = utcDay(p.start);
    return cutDay <= through ? { start: p.start, fromDay: nextDay(cutDay), edge: null } : p;
  };
  const plans = { d1: plan(windowDays(1)), d7: plan(windowDays(7)), d30: plan(windowDays(30)) };
  const toDay = utcDay(now);
  const breakdownFrom = firstDayOf(now, BREAKDOWN_DAYS);
  const durationWindows = (['d7', 'd30'] as const).flatMap((w) =>
    (['resolved', 'first_responded'] as const).map((metric) => ({ id: `${metric}:${w}`, metric, plan: plans[w] })),
  );
  const windows: WindowPart[] = [
    ...(['d1', 'd7', 'd30'] as const).map((w) => ({ id: `created:${w}`, metric: 'created' as const, plan: plans[w] })),
    ...durationWindows,
  ];
  const cutWindows = windows.filter((w) => utcDay(w.plan.start) <= through);
  const cuts = [...new Map(cutWindows.map((w) => [`${w.metric}:${utcDay(w.plan.start)}`, w])).values()].map((w) => ({
    metric: w.metric,
    day: utcDay(w.plan.start),
  }));

  // Parts of one statement, so one round trip and one snapshot for every figure. The breakdown,
  // the histograms and the cut days of days before yesterday come from the settled-days cache
  // when it holds them at the current epoch (settled-days.ts); the rest is read every time.
  const p = q.p;
  const fromDays = [plans.d7.fromDay, plans.d30.fromDay];
  const key = [breakdownFrom, ...fromDays, ...cuts.map((c) => `${c.metric}:${c.day}`)].join(' ');
  const settled = addSettledParts(q, 'activity', key, now, {
    breakdown: (through) => breakdownSql(p, breakdownFrom, toDay, { rows: 'settled', through }),
    durations: (through) => durationsSql(p, fromDays, toDay, { rows: 'settled', through }),
    cut_days: () => cutDayRowsSql(p, cuts),
  });
  const live = { rows: 'live', through } as const;
  const cachedAssignees = ((settled.cached?.breakdown ?? []) as Snapshot['breakdown'])
    .filter((r) => r.dim === 'assignee' && r.key !== '')
    .map((r) => r.key);
  q.add('activity_days', dayTotalsSql(p, [plans.d30.fromDay, breakdownFrom].sort()[0]!, toDay))
    .add('activity_breakdown', breakdownSql(p, breakdownFrom, toDay, live))
    .add('activity_durations', durationsSql(p, fromDays, toDay, live))
    .add('activity_names', settled.cached ? userNamesSql(p, [...new Set(cachedAssignees)]) : null)
    .add('activity_edges', edgesSql(p, windows))
    .add('activity_exact', exactPercentilesSql(p, durationWindows, now))
    .add('activity_open', openByAssigneeSql());
  return (row) => {
    const past = settled.read(row) as Pick<Snapshot, 'breakdown' | 'durations'> & { cut_days: CutDay[] };
    // Cached rows carry the names of when they were read: today's names replace them.
    const names = new Map(
      (row.activity_names as Array<{ key: string; name: string; email: string }>).map((u) => [u.key, u]),
    );
    const pastBreakdown = settled.cached
      ? past.breakdown.map((r) => ({
          ...r,
          name: names.get(r.key)?.name ?? null,
          email: names.get(r.key)?.email ?? null,
        }))
      : past.breakdown;
    const snap = {
      days: row.activity_days,
      breakdown: [...(row.activity_breakdown as Snapshot['breakdown']), ...pastBreakdown],
      durations: [...(row.activity_durations as Snapshot['durations']), ...past.durations],
      edges: [...(row.activity_edges as Snapshot['edges']), ...cutDayEdges(cutWindows, past.cut_days)],
      exact: row.activity_exact,
      open: row.activity_open,
    } as Snapshot;
    return fromSnapshot(snap, plans, fromDays, breakdownFrom, toDay);
  };
}

interface CutDay {
  metric: TicketMetric;
  day: string;
  at: number[];
  bucket: Array<number | null>;
}

const nextDay = (day: string) => utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000));

/** The edge rows (as edgesSql returns them) of windows cut on a settled day: its rows from the start on. */
function cutDayEdges(windows: readonly WindowPart[], days: readonly CutDay[]): Snapshot['edges'] {
  const out: Snapshot['edges'] = [];
  for (const w of windows) {
    const day = days.find((d) => d.metric === w.metric && d.day === utcDay(w.plan.start))!;
    const start = w.plan.start.getTime();
    let lo = 0;
    let hi = day.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (day.at[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    if (w.metric === 'created') {
      out.push({ id: w.id, bucket: null, n: day.at.length - lo });
      continue;
    }
    const byBucket = new Map<number | null, number>();
    for (let i = lo; i < day.at.length; i++) byBucket.set(day.bucket[i]!, (byBucket.get(day.bucket[i]!) ?? 0) + 1);
    for (const [bucket, n] of byBucket) out.push({ id: w.id, bucket, n });
  }
  return out;
}

function fromSnapshot(
  snap: Snapshot,
  plans: Record<'d1' | 'd7' | 'd30', WindowPlan>,
  fromDays: string[],
  breakdownFrom: string,
  toDay: string,
): ActivityStats {
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

// The time-based figures of stats/overview, from the per-day stats: tickets created in the last
// 24 h / 7 / 30 days, median and p90 time to resolution and to first response over 7 / 30 days,
// the last 30 days per category, priority and assignee, and open tickets per assignee. Five
// queries whatever the number of tickets (plus an exact percentile query for small windows).
import type { Db } from '../db/client.js';
import { utcDay } from '../shared/text.js';
import { addToHistogram } from './histogram.js';
import {
  durationStats,
  readDailyStats,
  readDurationHistograms,
  readEdges,
  readOpenByAssignee,
  sumDays,
  type BreakdownRow,
  type DurationStats,
  type EdgeRequest,
  type MetricCounts,
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

export async function readActivityStats(db: Db, now: Date): Promise<ActivityStats> {
  const plans = {
    d1: planWindow(now, windowDays(1)),
    d7: planWindow(now, windowDays(7)),
    d30: planWindow(now, windowDays(30)),
  };
  const toDay = utcDay(now);
  const breakdownFrom = firstDayOf(now, BREAKDOWN_DAYS);
  const fromDay = [plans.d30.fromDay, breakdownFrom].sort()[0]!;
  const durationWindows = [
    { id: 'd7', plan: plans.d7 },
    { id: 'd30', plan: plans.d30 },
  ];
  const edges: EdgeRequest[] = [
    ...(['d1', 'd7', 'd30'] as const).map((id) => ({
      id: `created:${id}`,
      metric: 'created' as const,
      plan: plans[id],
    })),
    ...durationWindows.flatMap((w) =>
      (['resolved', 'first_responded'] as const).map((metric) => ({ id: `${metric}:${w.id}`, metric, plan: w.plan })),
    ),
  ];
  const [daily, histograms, edgeCounts, open] = await Promise.all([
    readDailyStats(db, { fromDay, breakdownFrom, toDay }),
    readDurationHistograms(db, durationWindows, toDay),
    readEdges(db, edges),
    readOpenByAssignee(db),
  ]);

  const created = (id: 'd1' | 'd7' | 'd30') =>
    sumDays(daily.totals, 'created', plans[id].fromDay) +
    (edgeCounts.get(`created:${id}`) ?? []).reduce((s, e) => s + e.n, 0);
  for (const w of durationWindows) {
    for (const metric of ['resolved', 'first_responded'] as const) {
      for (const e of edgeCounts.get(`${metric}:${w.id}`) ?? [])
        addToHistogram(histograms.get(w.id)![metric], e.bucket!, e.n);
    }
  }
  const duration = (id: 'd7' | 'd30', metric: 'resolved' | 'first_responded') =>
    durationStats(db, metric, histograms.get(id)![metric], { start: plans[id].start, end: now });
  const [r7, r30, f7, f30] = await Promise.all([
    duration('d7', 'resolved'),
    duration('d30', 'resolved'),
    duration('d7', 'first_responded'),
    duration('d30', 'first_responded'),
  ]);

  return {
    createdLast24h: created('d1'),
    createdLast7d: created('d7'),
    createdLast30d: created('d30'),
    resolutionTime7d: r7,
    resolutionTime30d: r30,
    firstResponseTime7d: f7,
    firstResponseTime30d: f30,
    last30d: breakdown(daily.breakdown, daily.totals.days, breakdownFrom, toDay),
    openByAssignee: open
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
  const pick = (dim: BreakdownRow['dim']) =>
    Object.fromEntries(rows.filter((r) => r.dim === dim).map((r) => [r.key, r.counts]));
  return {
    fromDay,
    toDay,
    counts,
    byCategory: pick('category'),
    byPriority: pick('priority'),
    byAssignee: rows
      .filter((r) => r.dim === 'assignee')
      .map((r) => ({ id: r.key || null, name: r.name, email: r.email, ...r.counts }))
      .sort((a, b) => b.created + b.resolved - (a.created + a.resolved) || (a.name ?? '').localeCompare(b.name ?? '')),
  };
}

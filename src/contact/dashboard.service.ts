// What the panel's dashboard shows a moderator when they sign in: the queue's headline counts,
// tickets per day for the last 30 days split by category, the oldest pending tickets and the
// tickets assigned to them. Counts and lists come from the queue's own queries.
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { TICKET_CATEGORIES, type TicketCategory } from './contact.schema.js';
import { addTicketStatsParts, addTicketSummaryParts, type TicketSummaryRow } from './contact.queries.js';
import { requireStaff } from '../auth/access.js';
import { utcDay } from '../shared/text.js';
import { readSnapshot, type SnapshotQuery } from '../db/snapshot.js';
import { createdPerDayAndCategorySql } from '../stats/ticket-stats.js';
import { slaStats } from '../sla/sla.stats.js';
import { addSettledParts } from '../stats/settled-days.js';

export const DASHBOARD_DAYS = 30;
const DAY_MS = 86_400_000;
/** "1 ticket", "3 tickets": the count in the label reads as English. */
const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export interface DashboardTicket {
  id: string;
  ticketNumber: string;
  subject: string;
  name: string;
  status: string;
  category: TicketCategory;
  createdAt: string;
}

export interface DashboardDay {
  /** UTC calendar day, YYYY-MM-DD. */
  day: string;
  total: number;
  byCategory: Record<TicketCategory, number>;
}

/** A headline number on the dashboard, linking to the list filtered to what it counts. */
export interface DashboardCount {
  key: string;
  label: string;
  /** null: nothing to measure yet (a percentage of no ratings is not 0 %). */
  value: number | null;
  /** The panel list's query string for these tickets; null when the figure is not a set of tickets. */
  query: string | null;
}

export interface DashboardData {
  counts: { open: number; unassigned: number; pending: number; inProgress: number };
  headline: DashboardCount[];
  days: DashboardDay[];
  categories: readonly TicketCategory[];
  oldestPending: DashboardTicket[];
  myAssigned: DashboardTicket[];
  generatedAt: string;
}

const toDashboardTicket = (t: TicketSummaryRow): DashboardTicket => ({
  id: t.id,
  ticketNumber: t.ticket_number,
  subject: t.subject,
  name: t.name,
  status: t.status,
  category: t.category as TicketCategory,
  createdAt: new Date(t.created_at).toISOString(),
});

type PerDayRow = { day: string; category: string; n: number };

/**
 * Tickets created per UTC day and category for the last `days` days including today, as a part of
 * a snapshot read (from the per-day stats, src/stats: `days` × categories rows, however many tickets).
 */
function addTicketsPerDayParts(
  q: SnapshotQuery,
  now: Date,
  days = DASHBOARD_DAYS,
): (row: Record<string, unknown>) => DashboardDay[] {
  const firstDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS);
  const [from, to] = [utcDay(firstDay), utcDay(now)];
  // Days before yesterday from the settled-days cache (src/stats/settled-days.ts) while it holds.
  const settled = addSettledParts(q, 'dashboard', from, now, {
    days: (through) => createdPerDayAndCategorySql(q.p, from, to, { rows: 'settled', through }),
  });
  q.add('created_per_day', createdPerDayAndCategorySql(q.p, from, to, { rows: 'live', through: settled.through }));
  return (row) => {
    const counts = [...(row.created_per_day as PerDayRow[]), ...(settled.read(row).days as PerDayRow[])];
    const result: DashboardDay[] = [];
    const index = new Map<string, DashboardDay>();
    for (let i = 0; i < days; i++) {
      const day = utcDay(new Date(firstDay.getTime() + i * DAY_MS));
      const entry: DashboardDay = {
        day,
        total: 0,
        byCategory: Object.fromEntries(TICKET_CATEGORIES.map((c) => [c, 0])) as Record<TicketCategory, number>,
      };
      result.push(entry);
      index.set(day, entry);
    }
    for (const r of counts) {
      const entry = index.get(r.day);
      if (!entry) continue;
      entry.byCategory[r.category as TicketCategory] += r.n;
      entry.total += r.n;
    }
    return result;
  };
}

/** The stats and the days in one statement (src/db/snapshot.ts): one round trip, one snapshot. */
async function readDashboardFigures(ctx: AppContext, actor: Actor) {
  const now = ctx.clock.now();
  return readSnapshot(ctx.db.pool, (q) => {
    const readStats = addTicketStatsParts(q, now);
    const readDays = addTicketsPerDayParts(q, now);
    const readOldest = addTicketSummaryParts(q, actor, 'oldest_pending_tickets', {
      status: ['pending'],
      ordering: 'created_at',
      page_size: 5,
    });
    const readMine = addTicketSummaryParts(q, actor, 'my_open_tickets', {
      status: ['pending', 'in_progress'],
      assigned_to: 'me',
      ordering: '-updated_at',
      page_size: 10,
    });
    return (row) => ({ stats: readStats(row), days: readDays(row), oldest: readOldest(row), mine: readMine(row) });
  });
}

export async function getDashboard(ctx: AppContext, actor: Actor | null): Promise<DashboardData> {
  requireStaff(actor);
  const [{ stats, days, oldest, mine }, sla] = await Promise.all([
    readDashboardFigures(ctx, actor),
    slaStats(ctx, actor),
  ]);
  return {
    counts: {
      open: stats.open,
      unassigned: stats.unassignedOpen,
      pending: stats.by.status!.pending ?? 0,
      inProgress: stats.by.status!.in_progress ?? 0,
    },
    headline: [
      { key: 'open', label: 'Open (pending + in progress)', value: stats.open, query: '' },
      {
        key: 'unassigned',
        label: 'Open and unassigned',
        value: stats.unassignedOpen,
        query: 'filters.assignedToId=none',
      },
      { key: 'pending', label: 'Pending', value: stats.by.status!.pending ?? 0, query: 'filters.status=pending' },
      {
        key: 'urgent',
        label: 'Open urgent',
        value: stats.openBy.priority!.urgent ?? 0,
        query: 'filters.priority=urgent',
      },
      {
        key: 'high',
        label: 'Open high priority',
        value: stats.openBy.priority!.high ?? 0,
        query: 'filters.priority=high',
      },
      // Satisfied customers in percent over 30 days (none until the first rating; the label says how many).
      {
        key: 'csat_30d',
        label: `CSAT 30 days, % (${counted(stats.csat.last30d.good + stats.csat.last30d.bad, 'rating')})`,
        value: stats.csat.last30d.percent ?? null,
        query: null,
      },
      // SLA attainment over 30 days (src/sla/sla.stats.ts); none until a clock was decided.
      {
        key: 'sla_first_response_30d',
        label: `First response on time, 30 days, % (${counted(sla.last30d.firstResponse.met + sla.last30d.firstResponse.missed, 'ticket')})`,
        value: sla.last30d.firstResponse.percent ?? null,
        query: null,
      },
      {
        key: 'sla_resolution_30d',
        label: `Resolved on time, 30 days, % (${counted(sla.last30d.resolution.met + sla.last30d.resolution.missed, 'ticket')})`,
        value: sla.last30d.resolution.percent ?? null,
        query: null,
      },
    ],
    days,
    categories: TICKET_CATEGORIES,
    oldestPending: oldest.map(toDashboardTicket),
    myAssigned: mine.map(toDashboardTicket),
    generatedAt: ctx.clock.now().toISOString(),
  };
}

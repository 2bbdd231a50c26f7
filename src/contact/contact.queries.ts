// Read side of the moderator queue: the filtered ticket list and the stats overview.
// Raw SQL on purpose: each filter is written so PostgreSQL can use the index made for it
// (see prisma/migrations/20261127000000_init), measured with EXPLAIN on generated data; the
// plans and figures are in docs/tickets-api.md ("Performance").
import type { Actor } from '../auth/actor.js';
import { requireStaff } from '../auth/access.js';
import type { AppContext } from '../context.js';
import { readSnapshot, type SnapshotQuery } from '../db/snapshot.js';
import { addCsatParts, type CsatStats } from '../portal/ratings.js';
import { addActivityParts, type ActivityStats } from '../stats/activity.js';
import { addTicketCountParts, type TicketCountRow } from './ticket-counts.js';
import { TICKET_STATUSES, type TicketStatus } from './ticket.fields.js';
import {
  buildTicketWhere,
  orderByClause,
  PAGE_SIZE_DEFAULT,
  TOTAL_COUNT_CAP,
  type TicketFilters,
  type TicketPageRequest,
} from './ticket.filters.js';
import { COUNTED_FIELDS } from './moderator.schema.js';
import { pageSource } from './ticket-page-source.js';
import { mapTicketRow, TICKET_COLUMNS, TICKET_JOINS, type Ticket } from './ticket.shape.js';
import { expandView } from '../views/views.service.js';
import { addOpenByTagParts } from '../tags/repository.js';

export type { TicketFilters };
export { TOTAL_COUNT_CAP };

export interface TicketPage {
  items: Ticket[];
  total: number;
  totalCapped: boolean;
  page: number;
  pageSize: number;
  pages: number;
}

export async function listTickets(
  ctx: AppContext,
  actor: Actor | null,
  filters: TicketFilters & TicketPageRequest,
): Promise<TicketPage> {
  const q = await pageQuery(ctx, actor, filters);
  const [list, count] = await Promise.all([
    ctx.db.pool.query(q.listSql, q.listParams),
    ctx.db.pool.query<{ n: number }>(q.countSql, q.countParams),
  ]);
  const counted = count.rows[0]!.n;
  const totalCapped = counted > TOTAL_COUNT_CAP;
  const total = Math.min(counted, TOTAL_COUNT_CAP);
  return {
    items: list.rows.map(mapTicketRow),
    total,
    totalCapped,
    page: q.page,
    pageSize: q.pageSize,
    pages: Math.ceil(total / q.pageSize),
  };
}

/** The columns a ticket summary (the dashboard's lists) shows, as they come back in a snapshot. */
export interface TicketSummaryRow {
  id: string;
  ticket_number: string;
  subject: string;
  name: string;
  status: string;
  category: string;
  /** ISO 8601 from PostgreSQL's JSON (microseconds, +00:00). */
  created_at: string;
}

/**
 * The first page of tickets matching `filters` (no `view`, no total) as a part of a snapshot read:
 * the dashboard's lists ride on its one statement instead of a round trip each.
 */
export function addTicketSummaryParts(
  q: SnapshotQuery,
  actor: Actor,
  name: string,
  filters: Omit<TicketFilters, 'view'> & TicketPageRequest,
): (row: Record<string, unknown>) => TicketSummaryRow[] {
  const where = buildTicketWhere(actor, filters, q.boundParams);
  q.add(
    name,
    `SELECT id, ticket_number, subject, name, status, category, created_at FROM contact_submissions ${where.sql}
     ORDER BY ${orderByClause(filters.ordering)} LIMIT ${q.p(filters.page_size ?? PAGE_SIZE_DEFAULT)}`,
  );
  return (row) => row[name] as TicketSummaryRow[];
}

async function pageQuery(ctx: AppContext, actor: Actor | null, filters: TicketFilters & TicketPageRequest) {
  requireStaff(actor);
  const f = await expandView(ctx, actor, filters);
  const page = f.page ?? 1;
  const pageSize = f.page_size ?? PAGE_SIZE_DEFAULT;
  const where = buildTicketWhere(actor, f);
  const order = orderByClause(f.ordering);
  const n = where.params.length;
  const listParams = [...where.params];
  const source = pageSource(f, where.sql, listParams, page * pageSize);
  const m = listParams.length;
  // Page first (on the bare table, where the indexes are), then join the three user summaries
  // for just those rows: deep pages never pay the joins for the rows they skip.
  const listSql = `
    SELECT ${TICKET_COLUMNS}
    FROM (SELECT * FROM ${source} ORDER BY ${order} LIMIT $${m + 1} OFFSET $${m + 2}) t
    ${TICKET_JOINS}
    ORDER BY ${orderByClause(f.ordering, 't')}`;
  const countSql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM contact_submissions ${where.sql} LIMIT $${n + 1}) c`;
  return {
    page,
    pageSize,
    listSql,
    listParams: [...listParams, pageSize, (page - 1) * pageSize],
    countSql,
    countParams: [...where.params, TOTAL_COUNT_CAP + 1],
  };
}

// --- stats -------------------------------------------------------------------------------------

/** Created / resolution / first-response figures over time come from the per-day stats (src/stats). */
export interface TicketStats extends ActivityStats {
  total: number;
  /** Totals per value of each counted field (status, category, …): by[field][value]. */
  by: Record<string, Record<string, number>>;
  /** The same for open (pending / in-progress) tickets. */
  openBy: Record<string, Record<string, number>>;
  open: number;
  unassignedOpen: number;
  oldestPendingAgeSeconds: number | null;
  /** Customer satisfaction from the "Did this solve your problem?" ratings (src/portal/ratings.ts). */
  csat: CsatStats;
  generatedAt: Date;
}

const OPEN: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => s === 'pending' || s === 'in_progress');

/**
 * The numbers a moderator's overview needs. Totals come from the trigger-maintained counts
 * (ticket-counts.ts), everything over time from the per-day stats (src/stats/activity.ts): the
 * cost is O(days), not O(tickets). Times come from ctx.clock.
 */
export async function getTicketStats(ctx: AppContext, actor: Actor | null): Promise<TicketStats> {
  requireStaff(actor);
  // One statement for every figure (src/db/snapshot.ts): one round trip, one snapshot.
  const now = ctx.clock.now();
  return readSnapshot(ctx.db.pool, (q) => addTicketStatsParts(q, now));
}

/** stats/overview: getTicketStats' figures and the open tickets per tag, in one statement. */
export async function getStatsOverview(
  ctx: AppContext,
  actor: Actor | null,
): Promise<TicketStats & { openByTag: Record<string, number> }> {
  requireStaff(actor);
  const now = ctx.clock.now();
  return readSnapshot(ctx.db.pool, (q) => {
    const readStats = addTicketStatsParts(q, now);
    const readOpenByTag = addOpenByTagParts(q);
    return (row) => ({ ...readStats(row), openByTag: readOpenByTag(row) });
  });
}

/** getTicketStats' figures as parts of a larger snapshot read (the dashboard adds its own). */
export function addTicketStatsParts(q: SnapshotQuery, now: Date): (row: Record<string, unknown>) => TicketStats {
  const readCounts = addTicketCountParts(q);
  const readActivity = addActivityParts(q, now);
  const readCsat = addCsatParts(q, now);
  q.add('oldest_pending', `SELECT min(created_at) AS oldest FROM contact_submissions WHERE status = 'pending'`);
  return (row) => ticketStatsOf(now, readCounts(row), readActivity(row), readCsat(row), row);
}

function ticketStatsOf(
  now: Date,
  grouped: TicketCountRow[],
  activity: ActivityStats,
  csat: CsatStats,
  row: Record<string, unknown>,
): TicketStats {
  const oldestAt = (row.oldest_pending as Array<{ oldest: string | null }>)[0]?.oldest;
  const zeros = () =>
    Object.fromEntries(COUNTED_FIELDS.map((f) => [f.name, Object.fromEntries(f.values.map((v) => [v, 0]))]));
  const by: Record<string, Record<string, number>> = zeros();
  const openBy: Record<string, Record<string, number>> = zeros();
  let total = 0;
  let unassignedOpen = 0;
  for (const r of grouped) {
    const isOpen = OPEN.includes(r.status as TicketStatus);
    total += r.n;
    for (const f of COUNTED_FIELDS) {
      const value = String(r[f.name]);
      by[f.name]![value] = (by[f.name]![value] ?? 0) + r.n;
      if (isOpen) openBy[f.name]![value] = (openBy[f.name]![value] ?? 0) + r.n;
    }
    if (isOpen && !r.assigned) unassignedOpen += r.n;
  }
  const oldestPending = oldestAt ? new Date(oldestAt) : null;
  return {
    total,
    by,
    openBy,
    open: OPEN.reduce((sum, s) => sum + (by.status![s] ?? 0), 0),
    unassignedOpen,
    ...activity,
    oldestPendingAgeSeconds: oldestPending
      ? Math.max(0, Math.round((now.getTime() - oldestPending.getTime()) / 1000))
      : null,
    csat,
    generatedAt: now,
  };
}

// Read side of the moderator queue: the filtered ticket list and the stats overview.
// Raw SQL on purpose: each filter is written so PostgreSQL can use the index made for it
// (see prisma/migrations/20261127000000_init), measured with EXPLAIN on generated data; the
// plans and figures are in docs/tickets-api.md ("Performance").
import type { Actor } from '../auth/actor.js';
import { readTicketCounts } from './ticket-counts.js';
import type { AppContext } from '../context.js';
import type { TicketCategory, TicketStatus } from './contact.schema.js';
import { TICKET_CATEGORIES, TICKET_STATUSES } from './contact.schema.js';
import { requireStaff } from '../auth/access.js';
import {
  normalizeFilters,
  PAGE_SIZE_DEFAULT,
  type TicketFilters,
  type TicketOrdering,
  type TicketPageRequest,
} from './moderator.schema.js';
import { mapTicketRow, TICKET_COLUMNS, TICKET_JOINS, type Ticket, type UserSummary } from './ticket.repository.js';

export type { TicketFilters } from './moderator.schema.js';

/**
 * Counting every match of a broad filter on a million rows costs a scan of all of them (~100+ ms)
 * on every page view. The list counts at most this many rows; past it `total` is the cap and
 * `totalCapped` is true ("10000+"), the way large issue trackers do. Stats give exact totals.
 */
export const TOTAL_COUNT_CAP = 10_000;

/**
 * The search expression, character for character as in the trigram index
 * contact_submissions_search_trgm_idx: PostgreSQL only uses an expression index when the
 * query's expression is the same one.
 */
export const SEARCH_EXPRESSION = `("ticket_number" || ' ' || "name" || ' ' || "email" || ' ' || "subject")`;

/** The same expression with qualified columns (still matches the index: same columns, same operators). */
const searchExpression = (alias: string) =>
  alias ? SEARCH_EXPRESSION.replace(/"(\w+)"/g, `${alias}."$1"`) : SEARCH_EXPRESSION;

/** Stable orderings: a unique tie-breaker (id) so rows never repeat or vanish across pages. */
const ORDER_BY: Record<TicketOrdering, string> = {
  created_at: 'created_at ASC, id ASC',
  '-created_at': 'created_at DESC, id DESC',
  updated_at: 'updated_at ASC, id ASC',
  '-updated_at': 'updated_at DESC, id DESC',
  // Enum order is the workflow order (pending, in_progress, resolved, archived); newest first
  // within a status matches the (status, created_at DESC) index.
  status: 'status ASC, created_at DESC, id DESC',
};

/** Escapes LIKE wildcards so `q` is always a literal substring (default escape char: backslash). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface SqlWhere {
  sql: string;
  params: unknown[];
}

/**
 * WHERE clause for the filters. Columns are unqualified, or qualified with `alias` when the
 * query joins other tables. Filters must already be normalised (normalizeFilters).
 */
export function buildTicketWhere(actor: Actor, f: TicketFilters, params: unknown[] = [], alias = ''): SqlWhere {
  const conds: string[] = [];
  const c = (column: string) => (alias ? `${alias}.${column}` : column);
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.statuses?.length) conds.push(`${c('status')} = ANY(${p(f.statuses)}::"TicketStatus"[])`);
  // Spelled like the partial index's predicate so the planner can use that index.
  if (!f.statuses?.includes('archived') && !f.includeArchived) conds.push(`${c('status')} <> 'archived'`);
  if (f.categories?.length) conds.push(`${c('category')} = ANY(${p(f.categories)}::"TicketCategory"[])`);
  if (f.assignedTo === 'none') conds.push(`${c('assigned_to_id')} IS NULL`);
  else if (f.assignedTo === 'me') conds.push(`${c('assigned_to_id')} = ${p(actor.id)}::uuid`);
  else if (f.assignedTo) conds.push(`${c('assigned_to_id')} = ${p(f.assignedTo)}::uuid`);
  if (f.createdAfter) conds.push(`${c('created_at')} >= ${p(f.createdAfter)}`);
  if (f.createdBefore) conds.push(`${c('created_at')} < ${p(f.createdBefore)}`);
  if (f.q) conds.push(`${searchExpression(alias)} ILIKE '%' || ${p(escapeLike(f.q))} || '%'`);
  return { sql: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

export function orderByClause(ordering: TicketOrdering | undefined, alias = ''): string {
  const order = ORDER_BY[ordering ?? '-created_at'];
  return alias ? order.replace(/(\w+) (ASC|DESC)/g, `${alias}.$1 $2`) : order;
}

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
  requireStaff(actor);
  const f = normalizeFilters(filters);
  const page = f.page ?? 1;
  const pageSize = f.pageSize ?? PAGE_SIZE_DEFAULT;
  const where = buildTicketWhere(actor, f);
  const order = orderByClause(f.ordering);
  const n = where.params.length;
  // Page first (on the bare table, where the indexes are), then join the three user summaries
  // for just those rows: deep pages never pay the joins for the rows they skip.
  const listSql = `
    SELECT ${TICKET_COLUMNS}
    FROM (SELECT * FROM contact_submissions ${where.sql} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}) t
    ${TICKET_JOINS}
    ORDER BY ${orderByClause(f.ordering, 't')}`;
  const countSql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM contact_submissions ${where.sql} LIMIT $${n + 1}) c`;
  const [list, count] = await Promise.all([
    ctx.db.pool.query(listSql, [...where.params, pageSize, (page - 1) * pageSize]),
    ctx.db.pool.query<{ n: number }>(countSql, [...where.params, TOTAL_COUNT_CAP + 1]),
  ]);
  const counted = count.rows[0]!.n;
  const totalCapped = counted > TOTAL_COUNT_CAP;
  const total = Math.min(counted, TOTAL_COUNT_CAP);
  return {
    items: list.rows.map(mapTicketRow),
    total,
    totalCapped,
    page,
    pageSize,
    pages: Math.ceil(total / pageSize),
  };
}

// --- stats -------------------------------------------------------------------------------------

export interface TicketStats {
  total: number;
  byStatus: Record<TicketStatus, number>;
  byCategory: Record<TicketCategory, number>;
  open: number;
  unassignedOpen: number;
  createdLast24h: number;
  createdLast7d: number;
  createdLast30d: number;
  resolutionTime30d: { resolvedCount: number; medianSeconds: number | null; p90Seconds: number | null };
  oldestPendingAgeSeconds: number | null;
  openByAssignee: Array<UserSummary & { open: number }>;
  generatedAt: Date;
}

const DAY_MS = 86_400_000;
const OPEN: TicketStatus[] = ['pending', 'in_progress'];

/**
 * The numbers a moderator's overview needs, as five small queries run side by side. Only the
 * first and the resolution-time one read every row (there is no way to count a million rows
 * without reading them); the others are index range scans. Times come from ctx.clock.
 */
export async function getTicketStats(ctx: AppContext, actor: Actor | null): Promise<TicketStats> {
  requireStaff(actor);
  const now = ctx.clock.now();
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const pool = ctx.db.pool;
  const [grouped, recent, resolution, oldest, assignees] = await Promise.all([
    // Trigger-maintained totals (ticket-counts.ts): counting 1M rows took ~0.4 s.
    readTicketCounts(ctx.db),
    pool.query<{ d1: number; d7: number; d30: number }>(
      `SELECT count(*) FILTER (WHERE created_at >= $1)::int AS d1, count(*) FILTER (WHERE created_at >= $2)::int AS d7,
         count(*)::int AS d30
       FROM contact_submissions WHERE created_at >= $3 AND created_at <= $4`,
      [ago(1), ago(7), ago(30), now],
    ),
    pool.query<{ n: number; pct: [number, number] | null }>(
      `SELECT count(*)::int AS n,
         percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at))::float8[] AS pct
       FROM contact_submissions
       WHERE status IN ('resolved', 'archived') AND resolved_at >= $1 AND resolved_at <= $2`,
      [ago(30), now],
    ),
    pool.query<{ oldest: Date | null }>(
      `SELECT min(created_at) AS oldest FROM contact_submissions WHERE status = 'pending'`,
    ),
    pool.query<{ id: string; name: string; email: string; open: number }>(
      `SELECT u.id, u.name, u.email::text AS email, a.open
       FROM (SELECT assigned_to_id, count(*)::int AS open FROM contact_submissions
             WHERE assigned_to_id IS NOT NULL AND status IN ('pending', 'in_progress')
             GROUP BY assigned_to_id) a
       JOIN users u ON u.id = a.assigned_to_id
       ORDER BY a.open DESC, u.name, u.id`,
    ),
  ]);
  const byStatus = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;
  const byCategory = Object.fromEntries(TICKET_CATEGORIES.map((c) => [c, 0])) as Record<TicketCategory, number>;
  let total = 0;
  let unassignedOpen = 0;
  for (const r of grouped) {
    total += r.n;
    byStatus[r.status] += r.n;
    byCategory[r.category] += r.n;
    if (OPEN.includes(r.status) && !r.assigned) unassignedOpen += r.n;
  }
  const res = resolution.rows[0]!;
  const oldestPending = oldest.rows[0]?.oldest ?? null;
  return {
    total,
    byStatus,
    byCategory,
    open: byStatus.pending + byStatus.in_progress,
    unassignedOpen,
    createdLast24h: recent.rows[0]!.d1,
    createdLast7d: recent.rows[0]!.d7,
    createdLast30d: recent.rows[0]!.d30,
    resolutionTime30d: {
      resolvedCount: res.n,
      medianSeconds: res.pct ? Math.round(res.pct[0]) : null,
      p90Seconds: res.pct ? Math.round(res.pct[1]) : null,
    },
    oldestPendingAgeSeconds: oldestPending
      ? Math.max(0, Math.round((now.getTime() - oldestPending.getTime()) / 1000))
      : null,
    openByAssignee: assignees.rows.map((r) => ({ id: r.id, name: r.name, email: r.email, open: r.open })),
    generatedAt: now,
  };
}

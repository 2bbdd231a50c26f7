// Saved views of the ticket list: the built-in ones every moderator has, and the named filter
// sets moderators save for themselves or share with the team. A view is only a list query; the
// list, the panel and the CSV export expand `view=<id>` into that query (expandView) and then
// filter exactly as if its parameters had been given.
import type { Actor } from '../auth/actor.js';
import { canAdmin, requireStaff } from '../auth/access.js';
import type { AppContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import {
  buildTicketWhere,
  parseTicketExportQuery,
  TOTAL_COUNT_CAP,
  type TicketFilters,
} from '../contact/ticket.filters.js';
import { BUILTIN_VIEWS } from './views.builtin.js';
import type { ViewCreateInput, ViewPatchInput, ViewQuery } from './views.schema.js';

export interface SavedView {
  id: string;
  name: string;
  query: ViewQuery;
  builtin: boolean;
  shared: boolean;
  owner: { id: string; name: string } | null;
  /** The owner (or an admin) may rename, re-share or delete it. */
  editable: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = { id: string; name: string; query: ViewQuery; shared: boolean; owner_id: string; owner_name: string };

const SELECT = `SELECT v.id, v.name, v.query, v.shared, v.owner_id, u.name AS owner_name
  FROM saved_views v JOIN users u ON u.id = v.owner_id`;

function toView(actor: Actor, r: Row): SavedView {
  return {
    id: r.id,
    name: r.name,
    query: r.query,
    builtin: false,
    shared: r.shared,
    owner: { id: r.owner_id, name: r.owner_name },
    editable: r.owner_id === actor.id || canAdmin(actor),
  };
}

/** The built-in views, then the actor's own, then those colleagues shared (each by name). */
export async function listViews(ctx: AppContext, actor: Actor | null): Promise<SavedView[]> {
  requireStaff(actor);
  const { rows } = await ctx.db.pool.query<Row>(
    `${SELECT} WHERE v.owner_id = $1 OR v.shared ORDER BY (v.owner_id = $1) DESC, lower(v.name), v.id`,
    [actor.id],
  );
  return [...BUILTIN_VIEWS, ...rows.map((r) => toView(actor, r))];
}

/** One view the actor may use (built-in, own, or shared); 404 for anything else. */
export async function getView(ctx: AppContext, actor: Actor | null, id: string): Promise<SavedView> {
  requireStaff(actor);
  const builtin = BUILTIN_VIEWS.find((v) => v.id === id);
  if (builtin) return builtin;
  if (!UUID.test(id)) throw notFound('View');
  const { rows } = await ctx.db.pool.query<Row>(`${SELECT} WHERE v.id = $1 AND (v.owner_id = $2 OR v.shared)`, [
    id,
    actor.id,
  ]);
  if (!rows[0]) throw notFound('View');
  return toView(actor, rows[0]);
}

const duplicateName = () =>
  new AppError({
    code: 'validation_error',
    status: 400,
    message: 'The request has invalid fields',
    fields: { name: ['you already have a view with this name'] },
  });

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

export async function createView(ctx: AppContext, actor: Actor | null, input: ViewCreateInput): Promise<SavedView> {
  requireStaff(actor);
  try {
    const { rows } = await ctx.db.pool.query<{ id: string }>(
      `INSERT INTO saved_views (owner_id, name, query, shared) VALUES ($1, $2, $3, $4) RETURNING id`,
      [actor.id, input.name, JSON.stringify(input.query), input.shared],
    );
    return getView(ctx, actor, rows[0]!.id);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName();
    throw err;
  }
}

async function editableView(ctx: AppContext, actor: Actor, id: string): Promise<SavedView> {
  const view = await getView(ctx, actor, id);
  if (view.builtin || !view.editable) {
    throw new AppError({ code: 'forbidden', status: 403, message: 'Only its owner or an admin may change this view' });
  }
  return view;
}

export async function updateView(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  patch: ViewPatchInput,
): Promise<SavedView> {
  requireStaff(actor);
  await editableView(ctx, actor, id);
  try {
    await ctx.db.pool.query(
      `UPDATE saved_views SET name = coalesce($2, name), query = coalesce($3::jsonb, query),
         shared = coalesce($4, shared), updated_at = now() WHERE id = $1`,
      [id, patch.name ?? null, patch.query ? JSON.stringify(patch.query) : null, patch.shared ?? null],
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName();
    throw err;
  }
  return getView(ctx, actor, id);
}

export async function deleteView(ctx: AppContext, actor: Actor | null, id: string): Promise<void> {
  requireStaff(actor);
  await editableView(ctx, actor, id);
  await ctx.db.pool.query('DELETE FROM saved_views WHERE id = $1', [id]);
}

/**
 * The filters of `view=<id>` merged with the other parameters (which win: a search inside a
 * view narrows it). Without a view, the filters as given.
 */
export async function expandView<F extends TicketFilters>(
  ctx: AppContext,
  actor: Actor | null,
  filters: F,
): Promise<F> {
  if (!filters.view) return filters;
  const { view: id, ...rest } = filters;
  const view = await getView(ctx, actor, id);
  const { filters: fromView } = parseTicketExportQuery(view.query);
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return { ...fromView, ...given } as F;
}

/** A view's ticket count: exact up to TOTAL_COUNT_CAP, else the cap and `capped`. */
export interface ViewCount {
  count: number;
  capped: boolean;
}

/**
 * How many tickets each view holds, in ONE statement: a capped count per view (as the list
 * counts), each planned on its own so it uses its filter's index. One count(*) FILTER per view
 * over the whole table cost a scan of every ticket on each list load: 300–700 ms at 1M tickets.
 */
export async function countViews(
  ctx: AppContext,
  actor: Actor | null,
  views: SavedView[],
): Promise<Map<string, ViewCount>> {
  requireStaff(actor);
  if (!views.length) return new Map();
  const params: unknown[] = [TOTAL_COUNT_CAP + 1];
  const columns = views.map((v, i) => {
    const where = buildTicketWhere(actor, parseTicketExportQuery(v.query).filters, params).sql;
    return `(SELECT count(*)::int FROM (SELECT 1 FROM contact_submissions ${where} LIMIT $1) m) AS c${i}`;
  });
  const { rows } = await ctx.db.pool.query<Record<string, number>>(`SELECT ${columns.join(', ')}`, params);
  return new Map(
    views.map((v, i) => {
      const n = rows[0]![`c${i}`]!;
      return [v.id, { count: Math.min(n, TOTAL_COUNT_CAP), capped: n > TOTAL_COUNT_CAP }];
    }),
  );
}

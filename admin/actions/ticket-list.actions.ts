// The ticket list's hidden resource actions (the client is components/TicketList.tsx):
// - listMeta: the views with their counts (one query) and the user's list preferences;
// - listPulse: how many tickets matching the current filters arrived since the list loaded
//   (the "3 new — show" bar polls it: an index range scan on created_at, capped);
// - saveView / deleteView: a named view from the list's current filters, optionally shared;
// - listPreferences: the user's time zone and page size.
// Each parses its input with the feature's schema and calls the service, like a REST route.
import type { Action, ActionRequest, ActionResponse } from 'adminjs';
import { listTickets } from '../../src/contact/contact.queries.js';
import { parseTicketExportQuery, parseTicketListQuery } from '../../src/contact/ticket.filters.js';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { parseInput } from '../../src/shared/input.js';
import { getListPreferences, setListPreferences } from '../../src/views/preferences.service.js';
import { toViewJson } from '../../src/views/views.routes.js';
import { viewCreateSchema, type ViewQuery } from '../../src/views/views.schema.js';
import { countViews, createView, deleteView, listViews } from '../../src/views/views.service.js';
import { requireActor, staffOnly } from '../access.js';
import { queryFromListQuery, toOrdering } from '../resources/ticket-filters.js';

/** The list page's query string (filters.*, sortBy, direction) as the REST list's parameters. */
export function restQueryOfListPage(query: Record<string, unknown> | undefined): ViewQuery {
  const q = query ?? {};
  const rest: ViewQuery = { ...queryFromListQuery(q) };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (q.sortBy) rest.ordering = toOrdering(str(q.sortBy), str(q.direction));
  return rest;
}

const errorNotice = (err: unknown) => {
  if (!(err instanceof AppError)) throw err;
  const fields = Object.entries(err.fields ?? {}).map(([k, m]) => `${k}: ${m.join('; ')}`);
  return { notice: { message: [err.message, ...fields].join(' — '), type: 'error' as const }, fields: err.fields };
};

const hidden = (name: string, handler: Action<ActionResponse>['handler']): Action<ActionResponse> => ({
  name,
  actionType: 'resource',
  isAccessible: staffOnly,
  isVisible: false,
  component: false,
  handler,
});

export function ticketListActions(ctx: AppContext): Record<string, Action<ActionResponse>> {
  const body = (request: ActionRequest) => (request.payload ?? {}) as Record<string, unknown>;
  return {
    listMeta: hidden('listMeta', async (_request, _response, context) => {
      const actor = requireActor(context);
      const [views, preferences] = await Promise.all([listViews(ctx, actor), getListPreferences(ctx, actor)]);
      const counts = await countViews(ctx, actor, views);
      return {
        views: views.map((v) => toViewJson(v, counts.get(v.id))),
        preferences: { time_zone: preferences.timeZone, page_size: preferences.pageSize },
        now: ctx.clock.now().toISOString(),
      };
    }),

    listPulse: hidden('listPulse', async (request, _response, context) => {
      const actor = requireActor(context);
      const since = typeof request.query?.since === 'string' ? request.query.since : '';
      try {
        const query = parseTicketListQuery({
          ...restQueryOfListPage(request.query),
          created_after: since,
          page_size: '1',
        });
        const page = await listTickets(ctx, actor, query);
        return { new_count: page.total, capped: page.totalCapped, now: ctx.clock.now().toISOString() };
      } catch (err) {
        return errorNotice(err);
      }
    }),

    saveView: hidden('saveView', async (request, _response, context) => {
      const actor = requireActor(context);
      if (request.method !== 'post') return {};
      try {
        const b = body(request);
        // The list page's own query, sent as its search string (what the moderator sees is saved).
        const search = new URLSearchParams(typeof b.search === 'string' ? b.search : '');
        const query = restQueryOfListPage(Object.fromEntries(search.entries()));
        if (search.get('filters.view')) {
          // Saving from inside a view keeps the view's filters, narrowed as shown.
          const { view, ...rest } = query;
          const base = (await listViews(ctx, actor)).find((v) => v.id === view)?.query ?? {};
          Object.assign(query, { ...base, ...rest });
          delete query.view;
        }
        parseTicketExportQuery(query);
        const input = parseInput(viewCreateSchema, {
          name: b.name,
          query,
          shared: b.shared === true || b.shared === 'true',
        });
        const view = await createView(ctx, actor, input);
        return { view: toViewJson(view), notice: { message: `View “${view.name}” saved`, type: 'success' } };
      } catch (err) {
        return errorNotice(err);
      }
    }),

    deleteView: hidden('deleteView', async (request, _response, context) => {
      const actor = requireActor(context);
      if (request.method !== 'post') return {};
      try {
        await deleteView(ctx, actor, String(body(request).id ?? ''));
        return { notice: { message: 'View deleted', type: 'success' } };
      } catch (err) {
        return errorNotice(err);
      }
    }),

    listPreferences: hidden('listPreferences', async (request, _response, context) => {
      const actor = requireActor(context);
      try {
        const b = body(request);
        const p =
          request.method === 'post'
            ? await setListPreferences(
                ctx,
                actor,
                Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v === '' || v === 'null' ? null : v])),
              )
            : await getListPreferences(ctx, actor);
        return { preferences: { time_zone: p.timeZone, page_size: p.pageSize } };
      } catch (err) {
        return errorNotice(err);
      }
    }),
  };
}

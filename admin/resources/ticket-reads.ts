// The Ticket resource's reads, all through the queue's service functions (listTickets for the
// list and counts, getTicket for single records): the panel sees exactly what the API sees.
import type { ActionContext } from 'adminjs';
import { listTickets, type TicketPage } from '../../src/contact/contact.queries.js';
import { getTicket } from '../../src/contact/contact.service.js';
import { PAGE_SIZE_MAX, parseTicketListQuery } from '../../src/contact/ticket.filters.js';
import { fields, type Ticket, type UserSummary } from '../../src/contact/ticket.shape.js';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { actorOf } from '../access.js';
import { ServiceResource, type ListParams, type PropertySpec } from './service-resource.js';
import { TAG_MODES } from '../../src/tags/schema.js';
import { panelPath, queryFromAdminFilter, toOrdering } from './ticket-filters.js';

const DEFAULT_ORDERING = '-created_at';

import { TICKET_RESOURCE_ID } from '../../src/shared/panel-links.js';

export { TICKET_RESOURCE_ID };

const PROPERTY_TYPES = { uuid: 'uuid', datetime: 'datetime', text: 'textarea' } as const;

/** The panel's properties, one per declared field (user fields by id), plus the virtual ones. */
export const TICKET_PROPERTIES: PropertySpec[] = [
  ...fields.map((f): PropertySpec => ({
    path: panelPath(f),
    type: PROPERTY_TYPES[f.type as keyof typeof PROPERTY_TYPES] ?? 'string',
    isId: f.name === 'id',
    isSortable: !!f.sortable,
    values: f.type === 'enum' ? f.values : undefined,
  })),
  // Virtual: the list's search box (number, requester, subject, message and thread; src/contact/ticket-search.ts).
  { path: 'q' },
  // Virtual: the saved view the list shows (src/views), set by the list's view bar.
  { path: 'view' },
  // Virtual: the show page's "Emails sent" section, filled by the show handler.
  { path: 'emails', type: 'mixed' },
  // The ticket's tags ("billing, vip"; a filter: names separated by commas) and how they match.
  { path: 'tags' },
  { path: 'tagsMode', values: TAG_MODES },
];

/** A ticket as AdminJS record params: each field under its panel path; a user field also as its name. */
export function ticketParams(t: Ticket): Record<string, unknown> {
  const row = t as unknown as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const f of fields) {
    const v = row[f.prop];
    if (f.type === 'user') {
      const u = v as UserSummary | null;
      params[panelPath(f)] = u?.id ?? null;
      // Read by the Assignee component; not a property, so never editable.
      params[`${f.prop}Name`] = u?.name ?? null;
      params[`${f.prop}Email`] = u?.email ?? null;
    } else params[panelPath(f)] = v;
  }
  params.tags = (t.tags ?? []).join(', ');
  return params;
}

export function createTicketResource(ctx: AppContext): ServiceResource {
  // The list action calls find() then count() with the same context: one listTickets call serves both.
  const pages = new WeakMap<object, Promise<TicketPage>>();
  const page = (
    filter: Parameters<typeof queryFromAdminFilter>[0],
    params: ListParams | null,
    context: ActionContext,
  ) => {
    const cached = pages.get(context);
    if (cached) return cached;
    const limit = Math.min(Math.max(params?.limit ?? 1, 1), PAGE_SIZE_MAX);
    // The REST list's own parser: a bad filter value is the same 400, naming the parameter.
    const given = queryFromAdminFilter(filter);
    const ordering = toOrdering(params?.sort?.sortBy, params?.sort?.direction);
    // AdminJS always sends a sort (newest first unless a header was clicked): in a saved view
    // that default is no choice, and the view's own ordering applies.
    const query = parseTicketListQuery({
      ...given,
      ...(given.view && ordering === DEFAULT_ORDERING ? {} : { ordering }),
      page: String(Math.floor((params?.offset ?? 0) / limit) + 1),
      page_size: String(limit),
    });
    const promise = listTickets(ctx, actorOf(context.currentAdmin), query);
    if (params) pages.set(context, promise);
    return promise;
  };

  const one = async (id: string, context: ActionContext) => {
    try {
      return ticketParams(await getTicket(ctx, actorOf(context.currentAdmin), id));
    } catch (err) {
      if (err instanceof AppError && (err.status === 404 || err.status === 400)) return null;
      throw err;
    }
  };

  return new ServiceResource(TICKET_RESOURCE_ID, TICKET_PROPERTIES, {
    find: async (filter, params, context) => (await page(filter, params, context)).items.map(ticketParams),
    count: async (filter, context) => (await page(filter, null, context)).total,
    findOne: one,
    // Bulk selections are one list page (at most PAGE_SIZE_MAX rows): one lookup each, in parallel.
    findMany: async (ids, context) =>
      (await Promise.all(ids.map((id) => one(id, context)))).filter((r): r is Record<string, unknown> => r !== null),
  });
}

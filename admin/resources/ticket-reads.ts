// The Ticket resource's reads, all through the queue's service functions (listTickets for the
// list and counts, getTicket for single records): the panel sees exactly what the API sees.
import type { ActionContext } from 'adminjs';
import { TICKET_CATEGORIES, TICKET_STATUSES } from '../../src/contact/contact.schema.js';
import { listTickets, type TicketPage } from '../../src/contact/contact.queries.js';
import { getTicket } from '../../src/contact/contact.service.js';
import { PAGE_SIZE_MAX } from '../../src/contact/moderator.schema.js';
import type { Ticket } from '../../src/contact/ticket.repository.js';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { actorOf } from '../access.js';
import { ServiceResource, type ListParams, type PropertySpec } from './service-resource.js';
import { toOrdering, toTicketFilters, valuesFromAdminFilter } from './ticket-filters.js';

import { TICKET_RESOURCE_ID } from '../../src/shared/panel-links.js';

export { TICKET_RESOURCE_ID };

export const TICKET_PROPERTIES: PropertySpec[] = [
  { path: 'id', type: 'uuid', isId: true },
  { path: 'ticketNumber' },
  { path: 'name' },
  { path: 'email' },
  { path: 'subject' },
  { path: 'category', values: TICKET_CATEGORIES },
  { path: 'status', values: TICKET_STATUSES, isSortable: true },
  { path: 'assignedToId' },
  { path: 'createdAt', type: 'datetime', isSortable: true },
  { path: 'updatedAt', type: 'datetime', isSortable: true },
  { path: 'resolvedAt', type: 'datetime' },
  { path: 'resolvedByName' },
  { path: 'message', type: 'textarea' },
  { path: 'adminNotes', type: 'textarea' },
  { path: 'resolutionNotes', type: 'textarea' },
  { path: 'submittedBy' },
  { path: 'ipAddress' },
  { path: 'userAgent' },
  // Virtual: the list's search box (ticket number, name, email, subject).
  { path: 'q' },
  // Virtual: the show page's "Emails sent" section, filled by the show handler.
  { path: 'emails', type: 'mixed' },
];

/** A ticket as AdminJS record params (flat, camelCase paths matching TICKET_PROPERTIES). */
export function ticketParams(t: Ticket): Record<string, unknown> {
  return {
    id: t.id,
    ticketNumber: t.ticketNumber,
    name: t.name,
    email: t.email,
    subject: t.subject,
    category: t.category,
    status: t.status,
    assignedToId: t.assignedTo?.id ?? null,
    // Read by the Assignee component; not a property, so never editable.
    assignedToName: t.assignedTo?.name ?? null,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    resolvedAt: t.resolvedAt,
    resolvedByName: t.resolvedBy ? `${t.resolvedBy.name} <${t.resolvedBy.email}>` : null,
    message: t.message,
    adminNotes: t.adminNotes,
    resolutionNotes: t.resolutionNotes,
    submittedBy: t.user ? `${t.user.name} <${t.user.email}>` : null,
    ipAddress: t.ipAddress,
    userAgent: t.userAgent,
  };
}

export function createTicketResource(ctx: AppContext): ServiceResource {
  // The list action calls find() then count() with the same context: one listTickets call serves both.
  const pages = new WeakMap<object, Promise<TicketPage>>();
  const page = (
    filter: Parameters<typeof valuesFromAdminFilter>[0],
    params: ListParams | null,
    context: ActionContext,
  ) => {
    const cached = pages.get(context);
    if (cached) return cached;
    const limit = Math.min(Math.max(params?.limit ?? 1, 1), PAGE_SIZE_MAX);
    const promise = listTickets(ctx, actorOf(context.currentAdmin), {
      ...toTicketFilters(valuesFromAdminFilter(filter)),
      ordering: toOrdering(params?.sort?.sortBy, params?.sort?.direction),
      page: Math.floor((params?.offset ?? 0) / limit) + 1,
      pageSize: limit,
    });
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

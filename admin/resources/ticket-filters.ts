// One mapping from the panel's list filters to the queue's TicketFilters, used by the list (so
// archived tickets stay hidden unless asked for) and by the CSV export (so the file holds exactly
// what the list shows, every page of it).
import type { Filter } from 'adminjs';
import type { TicketCategory, TicketStatus } from '../../src/contact/contact.schema.js';
import type { TicketFilters } from '../../src/contact/contact.queries.js';
import type { TicketOrdering } from '../../src/contact/moderator.schema.js';

/** The filter values as the list's filter drawer sends them (`filters.<path>` in the URL). */
export interface PanelTicketFilterValues {
  status?: string;
  category?: string;
  assignedToId?: string;
  createdFrom?: string;
  createdTo?: string;
  q?: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function parseInstant(value: string): Date {
  // An unparseable value is passed on as an invalid Date: the queue's validation names the field.
  return new Date(value);
}

/** The drawer's "to" date is inclusive; TicketFilters.createdBefore is exclusive. */
function inclusiveEnd(value: string): Date {
  const d = parseInstant(value);
  if (Number.isNaN(d.getTime())) return d;
  const midnight = d.getUTCHours() + d.getUTCMinutes() + d.getUTCSeconds() + d.getUTCMilliseconds() === 0;
  return new Date(d.getTime() + (DATE_ONLY.test(value) || midnight ? 86_400_000 : 1));
}

export function toTicketFilters(v: PanelTicketFilterValues): TicketFilters {
  const f: TicketFilters = {};
  if (v.status) f.statuses = [v.status as TicketStatus];
  if (v.category) f.categories = [v.category as TicketCategory];
  if (v.assignedToId) f.assignedTo = v.assignedToId;
  if (v.createdFrom) f.createdAfter = parseInstant(v.createdFrom);
  if (v.createdTo) f.createdBefore = inclusiveEnd(v.createdTo);
  if (v.q) f.q = v.q;
  return f;
}

/** From the populated AdminJS Filter the list action hands to the resource. */
export function valuesFromAdminFilter(filter: Filter | undefined): PanelTicketFilterValues {
  const get = (path: string) => filter?.get(path)?.value as unknown;
  const created = get('createdAt');
  const range = created && typeof created === 'object' ? (created as { from?: unknown; to?: unknown }) : {};
  return {
    status: str(get('status')),
    category: str(get('category')),
    assignedToId: str(get('assignedToId')),
    createdFrom: str(range.from),
    createdTo: str(range.to),
    q: str(get('q')),
  };
}

/** From the list page's query string (`filters.status=…&filters.createdAt~~from=…`). */
export function valuesFromListQuery(query: Record<string, unknown>): PanelTicketFilterValues {
  const get = (key: string) => {
    const v = query[`filters.${key}`];
    return str(Array.isArray(v) ? v[0] : v);
  };
  return {
    status: get('status'),
    category: get('category'),
    assignedToId: get('assignedToId'),
    createdFrom: get('createdAt~~from'),
    createdTo: get('createdAt~~to'),
    q: get('q'),
  };
}

/** The list's sortable columns → the queue's orderings; anything else keeps newest first. */
export function toOrdering(sortBy: string | undefined, direction: string | undefined): TicketOrdering {
  const desc = direction !== 'asc';
  if (sortBy === 'createdAt') return desc ? '-created_at' : 'created_at';
  if (sortBy === 'updatedAt') return desc ? '-updated_at' : 'updated_at';
  if (sortBy === 'status') return 'status';
  return '-created_at';
}

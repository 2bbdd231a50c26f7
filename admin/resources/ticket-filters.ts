// The panel's list filters, search and sort → the REST query that the one filter parser
// (src/contact/ticket.filters.ts) reads. Used by the list (so archived tickets stay hidden unless
// asked for) and by the CSV export (so the file holds exactly what the list shows, every page).
// The panel only translates its UI conventions (paths, an inclusive "to" date); it validates
// nothing itself: a bad value is the parser's 400, naming the REST parameter.
import type { Filter } from 'adminjs';
import { fields } from '../../src/contact/ticket.shape.js';
import type { TicketFieldSpec } from '../../src/contact/ticket.fields.js';
import { TICKET_ORDERINGS } from '../../src/contact/ticket.filters.js';

/** The panel property of a field (user fields are edited and filtered by id). */
export const panelPath = (f: TicketFieldSpec): string => (f.type === 'user' ? `${f.prop}Id` : f.prop);

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The drawer's "to" date is inclusive; the API's `<x>_before` is exclusive. */
function inclusiveEnd(value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value; // the parser names the parameter
  const midnight = d.getUTCHours() + d.getUTCMinutes() + d.getUTCSeconds() + d.getUTCMilliseconds() === 0;
  return new Date(d.getTime() + (DATE_ONLY.test(value) || midnight ? DAY_MS : 1)).toISOString();
}

/** `get(path)` reads one filter value; ranges are read as `<path>~~from` / `<path>~~to`. */
export function panelFiltersToQuery(get: (path: string) => string | undefined): Record<string, string> {
  const query: Record<string, string> = {};
  for (const f of fields.filter((x) => x.filter)) {
    const path = panelPath(f);
    if (f.type === 'datetime') {
      const base = f.name.replace(/_at$/, '');
      const from = get(`${path}~~from`);
      const to = get(`${path}~~to`);
      if (from) query[`${base}_after`] = from;
      if (to) query[`${base}_before`] = inclusiveEnd(to);
    } else {
      const v = get(path);
      if (v) query[f.type === 'user' ? f.json : f.name] = v;
    }
  }
  const q = get('q');
  if (q) query.q = q;
  // Tag names separated by commas, matched any (default) or all (src/tags/schema.ts).
  const tags = get('tags');
  if (tags) query.tags = tags;
  const tagsMode = get('tagsMode');
  if (tags && tagsMode) query.tags_mode = tagsMode;
  // A saved view (src/views): set by the list's view bar, expanded by the services.
  const view = get('view');
  if (view) query.view = view;
  return query;
}

/** From the populated AdminJS Filter the list action hands to the resource. */
export function queryFromAdminFilter(filter: Filter | undefined): Record<string, string> {
  return panelFiltersToQuery((path) => {
    const [base, part] = path.split('~~');
    const v = filter?.get(base!)?.value as unknown;
    if (!part) return str(v);
    return v && typeof v === 'object' ? str((v as Record<string, unknown>)[part]) : undefined;
  });
}

/** From the list page's query string (`filters.status=…&filters.createdAt~~from=…`). */
export function queryFromListQuery(query: Record<string, unknown>): Record<string, string> {
  return panelFiltersToQuery((path) => {
    const v = query[`filters.${path}`];
    return str(Array.isArray(v) ? v[0] : v);
  });
}

/** The list's sort (a panel path and a direction) → an ordering; anything else keeps newest first. */
export function toOrdering(sortBy: string | undefined, direction: string | undefined): string {
  const field = fields.find((f) => panelPath(f) === sortBy);
  const ordering = field ? `${direction === 'asc' ? '' : '-'}${field.name}` : '-created_at';
  return TICKET_ORDERINGS.includes(ordering) ? ordering : '-created_at';
}

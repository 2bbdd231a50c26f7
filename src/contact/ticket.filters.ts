// The one filter parser for ticket listings (REST list, CSV export, the panel's list and export)
// and the SQL it turns into. Which filters and orderings exist is derived from the field
// declarations (ticket.fields.ts): an enum field with `filter` is a repeatable parameter, a
// datetime one a `<x>_after` / `<x>_before` range, a user one `me | none | <id>`; a `sortable`
// field is an ordering `name` / `-name`.
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { AppError, fieldErrorsFromZod, type FieldErrors } from '../errors.js';
import { CONTROL_CHARS } from '../shared/text.js';
import { searchCondition } from './ticket-search.js';
import { slaCondition, SLA_FILTER_VALUES, type SlaFilter } from '../sla/sla.filter.js';
import { tagsCondition } from '../tags/repository.js';
import { tagsFilterParam, tagsModeParam, type TagMode } from '../tags/schema.js';
import type { TicketFieldSpec } from './ticket.fields.js';
import { fields, type EnumFieldName, type EnumValue } from './ticket.shape.js';

/**
 * Counting every match of a broad filter on a million rows costs a scan of all of them (~100+ ms)
 * on every page view. The list counts at most this many rows; past it `total` is the cap and
 * `totalCapped` is true ("10000+"), the way large issue trackers do. Stats give exact totals. Views count the same
 * way (src/views/views.service.ts).
 */
export const TOTAL_COUNT_CAP = 10_000;

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;
export const SEARCH_MAX_LENGTH = 200;

const sortable = fields.filter((f) => f.sortable);
export const TICKET_ORDERINGS = sortable.flatMap((f) => [f.name, `-${f.name}`]) as [string, ...string[]];
export type TicketOrdering = string;

const rangeBase = (f: TicketFieldSpec) => f.name.replace(/_at$/, '');
const userParam = (f: TicketFieldSpec & { type: 'user' }) => f.json;

/**
 * Parsed filters, keyed by parameter name: `status: ['pending']`, `assigned_to: 'me'`,
 * `created_after: Date`. Archived tickets are excluded unless `status` names archived or
 * `include_archived` is set.
 */
export type TicketFilters = { [N in EnumFieldName]?: EnumValue<N>[] } & {
  assigned_to?: 'me' | 'none' | (string & {});
  created_after?: Date;
  created_before?: Date;
  q?: string;
  /** customer: our reply is the newest public message; us: the customer's is (or nobody answered). */
  waiting_on?: 'customer' | 'us';
  /** A saved view's id (src/views): its filters, with the other parameters narrowing them. */
  view?: string;
  /** Open tickets whose SLA clock has breached / breaches within the hour (src/sla/sla.filter.ts). */
  sla?: SlaFilter;
  /** Tag names, lowered (src/tags/schema.ts); `tags_mode` any (default) or all. */
  tags?: string[];
  tags_mode?: TagMode;
  include_archived?: boolean;
  ordering?: TicketOrdering;
};

export interface TicketPageRequest {
  page?: number;
  page_size?: number;
}

/** `?status=a&status=b` arrives as an array, `?status=a` as a string; both become an array. */
const repeatable = (values: readonly string[]) => {
  const msg = `must be one or more of: ${values.join(', ')}`;
  const one = z.enum(values as [string, ...string[]], { error: msg });
  return z
    .union([one, z.array(one).max(values.length * 2)], { error: msg })
    .transform((v) => [...new Set(Array.isArray(v) ? v : [v])])
    .meta({ description: `Repeatable (\`?x=a&x=b\`). One or more of: ${values.join(', ')}.` });
};

/** A calendar date (midnight UTC) or a date-time with an explicit offset. */
const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: 'must be an ISO 8601 date (2025-01-31) or date-time (2025-01-31T12:00:00Z)',
  })
  .transform((s) => new Date(s));

const queryBoolean = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const userFilter = z.union([z.literal('me'), z.literal('none'), z.guid()], {
  error: 'must be "me", "none" or a user id (UUID)',
});

const search = z
  .string({ error: 'must be a single string' })
  .trim()
  .max(SEARCH_MAX_LENGTH, `must be at most ${SEARCH_MAX_LENGTH} characters`)
  .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');

const filterShape: Record<string, z.ZodType> = {};
for (const f of fields.filter((x) => x.filter)) {
  if (f.type === 'enum') filterShape[f.name] = repeatable(f.values).optional();
  else if (f.type === 'datetime') {
    filterShape[`${rangeBase(f)}_after`] = instant.optional();
    filterShape[`${rangeBase(f)}_before`] = instant.optional();
  } else if (f.type === 'user') filterShape[userParam(f)] = userFilter.optional();
}
Object.assign(filterShape, {
  q: search.optional(),
  ordering: z.enum(TICKET_ORDERINGS, { error: `must be one of: ${TICKET_ORDERINGS.join(', ')}` }).optional(),
  include_archived: queryBoolean.optional(),
  waiting_on: z.enum(['customer', 'us'], { error: 'must be customer or us' }).optional(),
  view: z
    .string({ error: 'must be a view id' })
    .regex(/^[a-z0-9-]{1,64}$/i, 'must be a view id')
    .optional(),
  sla: z.enum(SLA_FILTER_VALUES, { error: `must be one of: ${SLA_FILTER_VALUES.join(', ')}` }).optional(),
  tags: tagsFilterParam.optional(),
  tags_mode: tagsModeParam.optional(),
});

const pageNumber = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(1_000_000, 'must be at most 1000000');

export const ticketListQuerySchema = z.object({
  ...filterShape,
  page: pageNumber.default(1),
  page_size: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(PAGE_SIZE_MAX, `must be at most ${PAGE_SIZE_MAX}`)
    .default(PAGE_SIZE_DEFAULT),
});

export const ticketExportQuerySchema = z.object({
  ...filterShape,
  /** Byte-order mark first (default true) so spreadsheet apps detect UTF-8. */
  bom: queryBoolean.optional(),
});

function queryError(fieldErrors: FieldErrors): AppError {
  return new AppError({
    code: 'validation_error',
    status: 400,
    message: 'The query has invalid parameters',
    fields: fieldErrors,
  });
}

/**
 * Parses a query object strictly: unknown parameters are refused by name (a typo such as
 * `?stauts=` would otherwise silently return everything); an empty `q` is no search.
 */
function parseQuery<S extends z.ZodObject>(schema: S, query: unknown): z.output<S> {
  const raw = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  for (const key of Object.keys(raw)) if (!(key in schema.shape)) errors[key] = ['unknown parameter'];
  const result = schema.safeParse(raw);
  if (!result.success) Object.assign(errors, fieldErrorsFromZod(result.error));
  if (Object.keys(errors).length || !result.success) throw queryError(errors);
  const out = result.data as Record<string, unknown>;
  if (out.q === '') delete out.q;
  for (const f of fields.filter((x) => x.filter && x.type === 'datetime')) {
    const after = out[`${rangeBase(f)}_after`] as Date | undefined;
    const before = out[`${rangeBase(f)}_before`] as Date | undefined;
    if (after && before && after > before) {
      throw queryError({ [`${rangeBase(f)}_after`]: [`must not be later than ${rangeBase(f)}_before`] });
    }
  }
  return out as z.output<S>;
}

export type TicketListQuery = TicketFilters & Required<TicketPageRequest>;

export function parseTicketListQuery(query: unknown): TicketListQuery {
  return parseQuery(ticketListQuerySchema, query) as TicketListQuery;
}

export function parseTicketExportQuery(query: unknown): { filters: TicketFilters; bom: boolean } {
  const { bom, ...filters } = parseQuery(ticketExportQuerySchema, query) as TicketFilters & { bom?: boolean };
  return { filters, bom: bom ?? true };
}

// --- SQL ------------------------------------------------------------------------------------------

export { escapeLike, SEARCH_EXPRESSION } from './ticket-search.js';

export interface SqlWhere {
  sql: string;
  params: unknown[];
}

/** WHERE clause for parsed filters; columns unqualified, or qualified with `alias`. */
export function buildTicketWhere(actor: Actor, filters: TicketFilters, params: unknown[] = [], alias = ''): SqlWhere {
  const f = filters as Record<string, unknown>;
  const conds: string[] = [];
  const c = (column: string) => (alias ? `${alias}.${column}` : column);
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  for (const field of fields.filter((x) => x.filter)) {
    if (field.type === 'enum') {
      const values = f[field.name] as string[] | undefined;
      if (values?.length) conds.push(`${c(field.name)} = ANY(${p(values)}::"${field.pgType}"[])`);
    } else if (field.type === 'datetime') {
      const after = f[`${rangeBase(field)}_after`];
      const before = f[`${rangeBase(field)}_before`];
      if (after) conds.push(`${c(field.name)} >= ${p(after)}`);
      if (before) conds.push(`${c(field.name)} < ${p(before)}`);
    } else if (field.type === 'user') {
      const v = f[userParam(field)] as string | undefined;
      if (v === 'none') conds.push(`${c(field.name)} IS NULL`);
      else if (v) conds.push(`${c(field.name)} = ${p(v === 'me' ? actor.id : v)}::uuid`);
    }
  }
  // Archived tickets are out of the working queue unless asked for; spelled like the partial
  // indexes' predicate so the planner can use them.
  if (excludesArchived(filters)) conds.push(`${c('status')} <> 'archived'`);
  if (filters.q) conds.push(searchCondition(filters.q, c, p));
  // Qualified: inside the tag subquery a bare `id` would be the tag's.
  const ticketId = alias ? `${alias}.id` : 'contact_submissions.id';
  // The SLA clocks keep this state: paused exactly while the newest public message is ours (src/sla).
  if (filters.waiting_on === 'customer') conds.push(`${c('sla_paused_since')} IS NOT NULL`);
  else if (filters.waiting_on === 'us') conds.push(`${c('sla_paused_since')} IS NULL`);
  if (filters.sla) conds.push(slaCondition(filters.sla, c));
  if (filters.tags?.length) conds.push(tagsCondition(ticketId, filters.tags, filters.tags_mode ?? 'any', p));
  return { sql: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** Archived tickets are left out unless `status` names archived or `include_archived` is set. */
export const excludesArchived = (filters: TicketFilters) =>
  !filters.status?.includes('archived') && !filters.include_archived;

/**
 * Stable orderings with a unique tie-breaker (id), so rows never repeat or vanish across pages.
 * An enum sorts in its declared order (status: the workflow order), newest first within a value.
 */
export function orderByClause(ordering: TicketOrdering | undefined, alias = ''): string {
  const o = ordering && TICKET_ORDERINGS.includes(ordering) ? ordering : '-created_at';
  const desc = o.startsWith('-');
  const field = fields.find((x) => x.name === o.replace(/^-/, ''))!;
  const c = (column: string) => (alias ? `${alias}.${column}` : column);
  const dir = desc ? 'DESC' : 'ASC';
  if (field.type === 'enum') return `${c(field.name)} ${dir}, ${c('created_at')} DESC, ${c('id')} DESC`;
  if (field.type === 'user') {
    // By the person's name (what the column shows), unassigned last either way.
    const ref = alias ? `${alias}.${field.name}` : `contact_submissions.${field.name}`;
    const name = `(SELECT u.name FROM users u WHERE u.id = ${ref})`;
    return `${name} ${dir} NULLS LAST, ${c('created_at')} DESC, ${c('id')} DESC`;
  }
  return `${c(field.name)} ${dir}, ${c('id')} ${dir}`;
}

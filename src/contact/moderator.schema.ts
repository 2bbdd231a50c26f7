// zod schemas of the moderator API: what list / export queries and moderator bodies may contain,
// and the JSON a moderator gets back. The OpenAPI document (src/http/openapi.ts) is generated
// from these same schemas, so the docs cannot drift from what the API accepts.
import { z } from 'zod';
import { AppError, fieldErrorsFromZod, type FieldErrors } from '../errors.js';
import { TICKET_CATEGORIES, TICKET_STATUSES, type TicketCategory, type TicketStatus } from './contact.schema.js';
import type { Ticket, UserSummary } from './ticket.repository.js';

export const TICKET_ORDERINGS = ['created_at', '-created_at', 'updated_at', '-updated_at', 'status'] as const;
export type TicketOrdering = (typeof TICKET_ORDERINGS)[number];

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;
export const SEARCH_MAX_LENGTH = 200;
export const NOTES_MAX_LENGTH = 20_000;

/**
 * The filters every ticket listing understands (REST list, CSV export, the AdminJS panel's
 * Export CSV action). Stable interface: the panel maps its own filter UI onto this type.
 * Archived tickets are excluded unless `statuses` contains 'archived' or `includeArchived`.
 */
export interface TicketFilters {
  statuses?: TicketStatus[];
  categories?: TicketCategory[];
  /** 'me' = the acting moderator, 'none' = unassigned, otherwise a user id. */
  assignedTo?: 'me' | 'none' | (string & {});
  /** Inclusive lower bound on created_at. */
  createdAfter?: Date;
  /** Exclusive upper bound on created_at. */
  createdBefore?: Date;
  /** Case-insensitive substring of ticket number, name, email or subject. */
  q?: string;
  includeArchived?: boolean;
  /** Default '-created_at' (newest first). */
  ordering?: TicketOrdering;
}

export interface TicketPageRequest {
  page?: number;
  pageSize?: number;
}

// --- query parameters --------------------------------------------------------------------------

const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** `?status=a&status=b` arrives as an array, `?status=a` as a string; both become an array. */
const repeatable = <T extends readonly [string, ...string[]]>(values: T) => {
  const msg = `must be one or more of: ${values.join(', ')}`;
  return z
    .union([z.enum(values, { error: msg }), z.array(z.enum(values, { error: msg })).max(values.length * 2)], {
      error: msg,
    })
    .transform((v) => [...new Set(Array.isArray(v) ? v : [v])]);
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

const assignedTo = z.union([z.literal('me'), z.literal('none'), z.guid()], {
  error: 'must be "me", "none" or a user id (UUID)',
});

const search = z
  .string({ error: 'must be a single string' })
  .trim()
  .max(SEARCH_MAX_LENGTH, `must be at most ${SEARCH_MAX_LENGTH} characters`)
  .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');

/** Filters shared by GET /contact/ and GET /contact/export.csv (snake_case, as sent). */
export const ticketFilterQueryShape = {
  status: repeatable(TICKET_STATUSES).optional(),
  category: repeatable(TICKET_CATEGORIES).optional(),
  assigned_to: assignedTo.optional(),
  created_after: instant.optional(),
  created_before: instant.optional(),
  q: search.optional(),
  ordering: z.enum(TICKET_ORDERINGS, { error: `must be one of: ${TICKET_ORDERINGS.join(', ')}` }).optional(),
  include_archived: queryBoolean.optional(),
};

const pageNumber = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(1_000_000, 'must be at most 1000000');

export const ticketListQuerySchema = z.object({
  ...ticketFilterQueryShape,
  page: pageNumber.default(1),
  page_size: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(PAGE_SIZE_MAX, `must be at most ${PAGE_SIZE_MAX}`)
    .default(PAGE_SIZE_DEFAULT),
});

export const ticketExportQuerySchema = z.object({
  ...ticketFilterQueryShape,
  /** Byte-order mark first (default true) so spreadsheet apps detect UTF-8. */
  bom: queryBoolean.optional(),
});

function queryError(fields: FieldErrors): AppError {
  return new AppError({ code: 'validation_error', status: 400, message: 'The query has invalid parameters', fields });
}

/**
 * Parses a query object strictly: unknown parameters are refused by name (a typo such as
 * `?stauts=` would otherwise silently return everything).
 */
function parseQuery<S extends z.ZodObject>(schema: S, query: unknown): z.output<S> {
  const raw = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const fields: FieldErrors = {};
  for (const key of Object.keys(raw)) if (!(key in schema.shape)) fields[key] = ['unknown parameter'];
  const result = schema.safeParse(raw);
  if (!result.success) Object.assign(fields, fieldErrorsFromZod(result.error));
  if (Object.keys(fields).length || !result.success) throw queryError(fields);
  return result.data;
}

type FilterQueryOutput = z.output<z.ZodObject<typeof ticketFilterQueryShape>>;

function toFilters(q: FilterQueryOutput): TicketFilters {
  const filters: TicketFilters = {};
  if (q.status) filters.statuses = q.status;
  if (q.category) filters.categories = q.category;
  if (q.assigned_to) filters.assignedTo = q.assigned_to;
  if (q.created_after) filters.createdAfter = q.created_after;
  if (q.created_before) filters.createdBefore = q.created_before;
  if (q.q) filters.q = q.q;
  if (q.ordering) filters.ordering = q.ordering;
  if (q.include_archived !== undefined) filters.includeArchived = q.include_archived;
  return filters;
}

export function parseTicketListQuery(query: unknown): TicketFilters & Required<TicketPageRequest> {
  const q = parseQuery(ticketListQuerySchema, query);
  return { ...toFilters(q), page: q.page, pageSize: q.page_size };
}

export function parseTicketExportQuery(query: unknown): { filters: TicketFilters; bom: boolean } {
  const q = parseQuery(ticketExportQuerySchema, query);
  return { filters: toFilters(q), bom: q.bom ?? true };
}

/**
 * Validates filters that did not come through a query string (the AdminJS panel, scripts), so
 * a bad value is a 400 with field names there too, never a database error.
 */
const ticketFiltersSchema = z.object({
  statuses: z.array(z.enum(TICKET_STATUSES)).max(20).optional(),
  categories: z.array(z.enum(TICKET_CATEGORIES)).max(20).optional(),
  assignedTo: assignedTo.optional(),
  createdAfter: z.date().optional(),
  createdBefore: z.date().optional(),
  q: search.optional(),
  includeArchived: z.boolean().optional(),
  ordering: z.enum(TICKET_ORDERINGS).optional(),
  page: pageNumber.optional(),
  pageSize: z.number().int().min(1).max(PAGE_SIZE_MAX).optional(),
});

export function normalizeFilters<F extends TicketFilters & TicketPageRequest>(filters: F): F {
  const result = ticketFiltersSchema.safeParse(filters ?? {});
  if (!result.success) throw queryError(fieldErrorsFromZod(result.error));
  const f = { ...filters, ...result.data } as F;
  if (f.q === '') delete f.q;
  if (f.statuses) f.statuses = [...new Set(f.statuses)];
  if (f.categories) f.categories = [...new Set(f.categories)];
  if (f.createdAfter && f.createdBefore && f.createdAfter > f.createdBefore) {
    throw queryError({ created_after: ['must not be later than created_before'] });
  }
  return f;
}

// --- bodies ------------------------------------------------------------------------------------

const strictKeys = {
  error: (issue: { code?: string }) => (issue.code === 'unrecognized_keys' ? 'unknown field' : undefined),
};

const notes = z
  .string({ error: 'must be a string' })
  .max(NOTES_MAX_LENGTH, `must be at most ${NOTES_MAX_LENGTH} characters`)
  .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');

export const ticketPatchSchema = z
  .strictObject(
    {
      status: z.enum(TICKET_STATUSES, { error: `must be one of: ${TICKET_STATUSES.join(', ')}` }).optional(),
      category: z.enum(TICKET_CATEGORIES, { error: `must be one of: ${TICKET_CATEGORIES.join(', ')}` }).optional(),
      admin_notes: notes.optional(),
      assigned_to_id: z.guid({ error: 'must be a user id (UUID) or null' }).nullable().optional(),
    },
    strictKeys,
  )
  .refine((b) => Object.keys(b).length > 0, 'send at least one of: status, category, admin_notes, assigned_to_id');
export type TicketPatchBody = z.infer<typeof ticketPatchSchema>;

export const assignToMeSchema = z.strictObject(
  { force: z.boolean({ error: 'must be true or false' }).optional() },
  strictKeys,
);

/** reopen / archive / restore take no options; an empty body or `{}` is fine, anything else is not. */
export const emptyBodySchema = z.strictObject({}, strictKeys);

export const markResolvedSchema = z.strictObject({ resolution_notes: notes.optional() }, strictKeys);

// --- responses ---------------------------------------------------------------------------------

export const userSummarySchema = z.object({ id: z.uuid(), name: z.string(), email: z.string() });

export const moderatorTicketSchema = z.object({
  id: z.uuid(),
  ticket_number: z.string(),
  name: z.string(),
  email: z.string(),
  subject: z.string(),
  message: z.string(),
  category: z.enum(TICKET_CATEGORIES),
  status: z.enum(TICKET_STATUSES),
  admin_notes: z.string(),
  resolution_notes: z.string(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  resolved_at: z.iso.datetime().nullable(),
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  user: userSummarySchema.nullable(),
  assigned_to: userSummarySchema.nullable(),
  resolved_by: userSummarySchema.nullable(),
});
export type ModeratorTicket = z.infer<typeof moderatorTicketSchema>;

export const ticketListSchema = z.object({
  items: z.array(moderatorTicketSchema),
  /** Exact up to TOTAL_COUNT_CAP; beyond it `total` is the cap and `total_capped` is true. */
  total: z.number().int(),
  total_capped: z.boolean(),
  page: z.number().int(),
  page_size: z.number().int(),
  pages: z.number().int(),
});
export type TicketListJson = z.infer<typeof ticketListSchema>;

const countsOf = <T extends readonly string[]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<T[number], z.ZodNumber>);

export const ticketStatsSchema = z.object({
  total: z.number().int(),
  by_status: countsOf(TICKET_STATUSES),
  by_category: countsOf(TICKET_CATEGORIES),
  open: z.number().int(),
  unassigned_open: z.number().int(),
  created_last_24h: z.number().int(),
  created_last_7d: z.number().int(),
  created_last_30d: z.number().int(),
  resolution_time_30d: z.object({
    resolved_count: z.number().int(),
    median_seconds: z.number().nullable(),
    p90_seconds: z.number().nullable(),
  }),
  oldest_pending_age_seconds: z.number().nullable(),
  open_by_assignee: z.array(userSummarySchema.extend({ open: z.number().int() })),
  generated_at: z.iso.datetime(),
});
export type TicketStatsJson = z.infer<typeof ticketStatsSchema>;

const summaryJson = (u: UserSummary | null) => (u ? { id: u.id, name: u.name, email: u.email } : null);

export function toModeratorTicket(t: Ticket): ModeratorTicket {
  return {
    id: t.id,
    ticket_number: t.ticketNumber,
    name: t.name,
    email: t.email,
    subject: t.subject,
    message: t.message,
    category: t.category,
    status: t.status,
    admin_notes: t.adminNotes,
    resolution_notes: t.resolutionNotes,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    resolved_at: t.resolvedAt ? t.resolvedAt.toISOString() : null,
    ip_address: t.ipAddress,
    user_agent: t.userAgent,
    user: summaryJson(t.user),
    assigned_to: summaryJson(t.assignedTo),
    resolved_by: summaryJson(t.resolvedBy),
  };
}

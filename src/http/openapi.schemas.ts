// Shapes the OpenAPI document needs that have no parsing schema of their own: the error body,
// and the audit responses (typed as TypeScript interfaces in src/audit/audit.schema.ts — these
// mirror them field for field; tests/http/openapi.test.ts checks real responses against them).
import { z } from 'zod';
import { EVENT_SOURCES } from '../audit/audit.schema.js';

export const errorSchema = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable machine-readable code, e.g. validation_error, invalid_transition.' }),
    message: z.string(),
    fields: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .meta({ description: 'Per field / parameter messages (400 only).' }),
  }),
});

const actor = z.object({ id: z.uuid(), name: z.string(), email: z.string() }).nullable();
const operation = z.enum(['insert', 'update', 'delete']);

const changeEntry = z.object({
  type: z.literal('change'),
  id: z.string(),
  at: z.iso.datetime(),
  actor,
  source: z.enum(EVENT_SOURCES),
  request_id: z.string().nullable(),
  operation,
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
});

const emailEntry = z.object({
  type: z.literal('email'),
  id: z.string(),
  at: z.iso.datetime(),
  delivery_id: z.uuid(),
  kind: z.string(),
  recipient: z.string(),
  status: z.enum(['queued', 'sent', 'failed']),
  attempts: z.number().int(),
  error: z.string().nullable(),
});

/** A tag added to / removed from the ticket (ticket_tag_events); `tag` is its name at the time. */
const tagEntry = z.object({
  type: z.literal('tag'),
  id: z.string(),
  at: z.iso.datetime(),
  actor,
  source: z.enum(EVENT_SOURCES),
  request_id: z.string().nullable(),
  change: z.enum(['added', 'removed']),
  tag: z.string(),
});

const messageEntry = z.object({
  type: z.literal('message'),
  id: z.string(),
  at: z.iso.datetime(),
  actor,
  source: z.string(),
  request_id: z.string().nullable(),
  kind: z.enum(['reply', 'note', 'customer']),
  author_name: z.string(),
  author_email: z.string(),
});

export const ticketHistoryDocSchema = z.object({
  ticket_id: z.uuid(),
  ticket_number: z.string().nullable(),
  deleted: z.boolean(),
  users: z.record(z.string(), z.object({ name: z.string(), email: z.string() })),
  entries: z.array(z.discriminatedUnion('type', [changeEntry, emailEntry, messageEntry, tagEntry])),
});

export const auditEventPageDocSchema = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      at: z.iso.datetime(),
      entity: z.enum(['ticket', 'user']),
      entity_id: z.uuid(),
      label: z.string(),
      actor,
      source: z.enum(EVENT_SOURCES),
      request_id: z.string().nullable(),
      operation,
      changed_fields: z.array(z.string()),
    }),
  ),
  next_before: z.string().nullable(),
});

/** Descriptions of query parameters, by name (list, export and audit filters). */
export const PARAMETER_DOCS: Record<string, string> = {
  status: 'Repeatable (`status=pending&status=in_progress`). Naming `archived` includes archived tickets.',
  category: 'Repeatable.',
  assigned_to: '`me` (the caller), `none` (unassigned) or a user id.',
  created_after: 'Inclusive lower bound on created_at. A date means 00:00 UTC that day.',
  created_before: 'Exclusive upper bound on created_at. A date means 00:00 UTC that day.',
  q: 'Case-insensitive substring of ticket number, name, email or subject (max 200 characters; % and _ are literal).',
  ordering: 'Default `-created_at` (newest first). `status` = workflow order, newest first within a status.',
  include_archived: 'Include archived tickets without naming every status.',
  page: '1-based page number. A page past the last returns an empty `items`.',
  page_size: '1..100, default 20.',
  bom: 'Start the file with a UTF-8 byte-order mark (default true, for spreadsheet apps).',
  entity: 'ticket (default) or user.',
  actor_id: 'Only events by this user.',
  source: 'Only events made through this channel.',
  entity_id: 'Only events of this ticket / user id.',
  ticket_number: 'Only events of this ticket number.',
  from: 'Events at or after this date-time.',
  to: 'Events before this date-time.',
  before: 'Keyset pagination: the `next_before` of the previous page.',
  limit: '1..200, default 50.',
};

/** The documented error answers, shared by every operation (body: the Error schema). */
export const ERROR_RESPONSES: Record<string, { description: string; headers?: Record<string, unknown> }> = {
  '400': { description: 'Invalid input: `error.fields` maps each offending field or parameter to its messages.' },
  '401': {
    description: 'No token, or the token is invalid, expired or revoked.',
    headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer realm="contactdesk"' } },
  },
  '403': { description: 'The token is valid but its user lacks the required role.' },
  '404': { description: 'No such ticket.' },
  '409': {
    description:
      'The ticket changed state meanwhile or the status change is not allowed (the message names from and to).',
  },
  '413': { description: 'Request body larger than 64 KiB.' },
  '415': { description: 'The body is not JSON (or, for submit, not a form post).' },
  '429': {
    description: 'Too many requests.',
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
  },
  '503': { description: 'The database is unreachable; retry later.' },
};

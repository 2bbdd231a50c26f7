// What the audit trail reads in (list filters) and hands out (history entries, event summaries).
// Field names are the REST API's snake_case names; the history and the panel show the same shapes.
import { z } from 'zod';
import { strictKeys } from '../shared/input.js';
import { ANY_CONTROL_CHARS } from '../shared/text.js';

export const EVENT_SOURCES = ['api', 'admin', 'worker', 'cli', 'system', 'sql'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];
export type AuditOperation = 'insert' | 'update' | 'delete';

export interface ActorSummary {
  id: string;
  name: string;
  email: string;
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One database event on the ticket (a row written by the audit trigger). */
export interface ChangeEntry {
  type: 'change';
  id: string;
  at: string;
  actor: ActorSummary | null;
  source: EventSource;
  request_id: string | null;
  operation: AuditOperation;
  changes: FieldChange[];
}

/** One step of an email about the ticket, from its email_deliveries record. */
export interface EmailEntry {
  type: 'email';
  id: string;
  at: string;
  delivery_id: string;
  kind: string;
  recipient: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  error: string | null;
}

/** A message added to the ticket's thread (reply, internal note, customer message): who and through what. */
export interface MessageEntry {
  type: 'message';
  id: string;
  at: string;
  /** The staff author; null for the customer. */
  actor: ActorSummary | null;
  source: string;
  request_id: string | null;
  kind: 'reply' | 'note' | 'customer';
  author_name: string;
  author_email: string;
}

/** A tag added to or removed from the ticket (ticket_tag_events): who, through what, which tag. */
export interface TagEntry {
  type: 'tag';
  id: string;
  at: string;
  actor: ActorSummary | null;
  source: EventSource;
  request_id: string | null;
  change: 'added' | 'removed';
  /** The tag's name when it happened. */
  tag: string;
}

export type HistoryEntry = ChangeEntry | EmailEntry | MessageEntry;
/** What a ticket's history lists: the entries above and the tag changes. */
export type TimelineEntry = HistoryEntry | TagEntry;

export interface TicketHistory {
  ticket_id: string;
  ticket_number: string | null;
  /** True when the ticket no longer exists: its history is still readable by id. */
  deleted: boolean;
  /** Names for every user id that appears as an actor or in a change (assignee, resolver, ...). */
  users: Record<string, { name: string; email: string }>;
  /** Newest first. */
  entries: TimelineEntry[];
}

const uuid = z.uuid({ error: 'must be a UUID' });
// PostgreSQL text cannot hold NUL (a filter with one failed with a 500); no ticket number has controls.
// Event ids are bigint: anything larger cannot be one, and would fail the query with a 500.
const MAX_EVENT_ID = BigInt('9223372036854775807');

const dateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

export const auditListFiltersSchema = z.strictObject(
  {
    entity: z.enum(['ticket', 'user'], { error: 'must be ticket or user' }).default('ticket'),
    actor_id: uuid.optional(),
    source: z.enum(EVENT_SOURCES, { error: `must be one of: ${EVENT_SOURCES.join(', ')}` }).optional(),
    /** The audited row's id: a ticket id (entity=ticket) or a user id (entity=user). */
    entity_id: uuid.optional(),
    ticket_number: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .refine((s) => !ANY_CONTROL_CHARS.test(s), 'must not contain control characters')
      .optional(),
    from: dateTime.optional(),
    to: dateTime.optional(),
    /** Keyset pagination: only events older than this event id. */
    before: z.coerce
      .bigint({ error: 'must be an event id' })
      .positive('must be an event id')
      .max(MAX_EVENT_ID, 'must be an event id')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  },
  strictKeys('unknown filter'),
);
export type AuditListFilters = z.input<typeof auditListFiltersSchema>;

export interface AuditEventSummary {
  id: string;
  at: string;
  entity: 'ticket' | 'user';
  entity_id: string;
  /** Ticket number (tickets) or email (users) at the time of the event. */
  label: string;
  actor: ActorSummary | null;
  source: EventSource;
  request_id: string | null;
  operation: AuditOperation;
  changed_fields: string[];
}

export interface AuditEventPage {
  events: AuditEventSummary[];
  /** Pass as `before` to get the next (older) page; null on the last page. */
  next_before: string | null;
}

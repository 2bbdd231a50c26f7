// Everything about a ticket's shape that is derived from the field declarations (ticket.fields.ts):
// the service-layer Ticket type, the SQL that reads it, the REST in/out schemas and the CSV
// columns. Nothing here names a field except through TICKET_FIELDS.
import { z } from 'zod';
import { strictKeys } from '../shared/input.js';
import { CONTROL_CHARS } from '../shared/text.js';
import { TICKET_FIELDS, type TicketFieldSpec } from './ticket.fields.js';
import { TICKET_TAGS_SELECT, TICKET_TAGS_TEXT_SELECT } from '../tags/repository.js';

export interface UserSummary {
  id: string;
  name: string;
  email: string;
}

type Field = (typeof TICKET_FIELDS)[number];
type ValueOf<F> = F extends { type: 'enum'; values: readonly (infer V)[] }
  ? V
  : F extends { type: 'datetime' }
    ? Date
    : F extends { type: 'user' }
      ? UserSummary
      : string;
type Value<F> = F extends { nullable: true } ? ValueOf<F> | null : ValueOf<F>;

/**
 * A ticket as the services hand it around (camelCase props, user fields as summaries), with its
 * tag names (src/tags: a many-to-many, not a column, so not a field declaration).
 */
export type Ticket = { [F in Field as F['prop']]: Value<F> } & { tags: string[] };

type Settable = Extract<Field, { settable: true }>;
/** A staff change (snake_case, as PATCH sends it). User fields take an id, or null to clear. */
export type TicketPatch = {
  [F in Settable as F['name']]?: F extends { type: 'user' } ? string | null : Value<F>;
};

export type EnumFieldName = Extract<Field, { type: 'enum' }>['name'];
export type EnumValue<N extends EnumFieldName> = ValueOf<Extract<Field, { name: N }>>;

export const fieldByName = (name: string): TicketFieldSpec | undefined =>
  (TICKET_FIELDS as readonly TicketFieldSpec[]).find((f) => f.name === name);
export const fields = TICKET_FIELDS as readonly TicketFieldSpec[];
const userAlias = (f: { json: string }) => `u_${f.json}`;

// --- SQL ------------------------------------------------------------------------------------------

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The select list for tickets aliased `t` (joined with TICKET_JOINS). `isoDates`: timestamps as
 * ISO text (the CSV export: parsing a million Dates only to print them again cost ~15 %); the tags
 * then come as one text too (parsing 200k arrays in the client cost more than the subquery did).
 */
export function ticketSelect(opts: { isoDates?: boolean } = {}): string {
  return fields
    .map((f) => {
      const col = `t.${f.name}`;
      if (f.type === 'inet') return `host(${col}) AS ${f.name}`;
      if (f.type === 'datetime' && opts.isoDates) return `${iso(col)} AS ${f.name}`;
      if (f.type === 'user') {
        const a = userAlias(f);
        return `${col}, ${a}.name AS ${a}_name, ${a}.email::text AS ${a}_email`;
      }
      return col;
    })
    .concat(opts.isoDates ? TICKET_TAGS_TEXT_SELECT : TICKET_TAGS_SELECT)
    .join(', ');
}

export const TICKET_COLUMNS = ticketSelect();
export const TICKET_JOINS = fields
  .flatMap((f) => (f.type === 'user' ? [`LEFT JOIN users ${userAlias(f)} ON ${userAlias(f)}.id = t.${f.name}`] : []))
  .join('\n');

export type TicketRow = Record<string, unknown>;

export function mapTicketRow(r: TicketRow): Ticket {
  const t: Record<string, unknown> = {};
  for (const f of fields) {
    const v = r[f.name];
    if (f.type === 'user') {
      const a = userAlias(f);
      t[f.prop] = v
        ? { id: String(v), name: String(r[`${a}_name`] ?? ''), email: String(r[`${a}_email`] ?? '') }
        : null;
    } else t[f.prop] = v ?? null;
  }
  t.tags = (r.tags as string[] | undefined) ?? [];
  return t as Ticket;
}

// --- REST JSON out --------------------------------------------------------------------------------

export const userSummarySchema = z.object({ id: z.uuid(), name: z.string(), email: z.string() });

function outSchema(f: TicketFieldSpec): z.ZodType {
  const base =
    f.type === 'enum'
      ? z.enum(f.values as [string, ...string[]])
      : f.type === 'datetime'
        ? z.iso.datetime()
        : f.type === 'uuid'
          ? z.uuid()
          : f.type === 'user'
            ? userSummarySchema
            : z.string();
  return f.nullable ? base.nullable() : base;
}

const jsonKey = (f: TicketFieldSpec) => (f.type === 'user' ? f.json : f.name);

function jsonValue(f: TicketFieldSpec, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (f.type === 'user') {
    const u = v as UserSummary;
    return { id: u.id, name: u.name, email: u.email };
  }
  return v;
}

const shapeOf = (list: readonly TicketFieldSpec[]) =>
  Object.fromEntries(list.map((f) => [jsonKey(f), outSchema(f)])) as Record<string, z.ZodType>;

export const moderatorTicketSchema = z.object({ ...shapeOf(fields), tags: z.array(z.string()) });
export type ModeratorTicket = Record<string, unknown> & { tags: string[] };

export function toModeratorTicket(t: Ticket): ModeratorTicket {
  const row = t as unknown as Record<string, unknown>;
  return { ...Object.fromEntries(fields.map((f) => [jsonKey(f), jsonValue(f, row[f.prop])])), tags: t.tags ?? [] };
}

/** What the submitter sees: the `public` fields only (no notes, ip, assignee). */
const publicFields = fields.filter((f) => f.public);
export const publicSubmissionSchema = z.object(shapeOf(publicFields));
export type PublicSubmission = Record<string, string | null>;

/** RETURNING list of an insert: the public fields, aliased to their props. */
export const PUBLIC_RETURNING = publicFields.map((f) => `${f.name} AS "${f.prop}"`).join(', ');

export function toPublicSubmission(t: Record<string, unknown>): PublicSubmission {
  return Object.fromEntries(publicFields.map((f) => [jsonKey(f), jsonValue(f, t[f.prop]) as string | null]));
}

// --- REST JSON in (PATCH, the panel edit form) ----------------------------------------------------

function inSchema(f: TicketFieldSpec): z.ZodType {
  if (f.type === 'enum')
    return z.enum(f.values as [string, ...string[]], { error: `must be one of: ${f.values.join(', ')}` });
  if (f.type === 'user') return z.guid({ error: 'must be a user id (UUID) or null' }).nullable();
  if (f.type === 'text' || f.type === 'string') {
    // Notes may be emptied; a single-line value may not contain line breaks.
    let s = z.string({ error: 'must be a string' }).max(f.max, `must be at most ${f.max} characters`);
    if (f.type === 'string') s = s.regex(/^[^\r\n]*$/, 'must be a single line (no line breaks)');
    return s.refine((v) => !CONTROL_CHARS.test(v), 'must not contain control characters');
  }
  throw new Error(`ticket field ${f.name}: no input schema for type ${f.type}`);
}

export const settableFields = fields.filter((f) => f.settable);
export const bulkSettableFields = fields.filter((f) => f.bulk);

export const ticketPatchSchema = z
  .strictObject(Object.fromEntries(settableFields.map((f) => [f.name, inSchema(f).optional()])), strictKeys())
  .refine((b) => Object.keys(b).length > 0, `send at least one of: ${settableFields.map((f) => f.name).join(', ')}`);

/** The schema of one settable field's value (bulk "Set …" actions). */
export const settableValueSchema = (name: string): z.ZodType => inSchema(fieldByName(name)!);

// --- CSV ------------------------------------------------------------------------------------------

export type CsvCell = string | number | null | undefined;

/** Header and value of every CSV column, from the export select (ticketSelect with isoDates). */
export const EXPORT_COLUMNS: ReadonlyArray<readonly [header: string, value: (r: TicketRow) => CsvCell]> = fields
  .filter((f) => f.exported)
  .flatMap((f): Array<readonly [string, (r: TicketRow) => CsvCell]> => {
    if (f.type !== 'user') return [[f.name, (r) => r[f.name] as CsvCell]];
    const a = userAlias(f);
    return (f.csv ?? []).map((part) => [`${f.csvPrefix ?? f.json}_${part}`, (r) => r[`${a}_${part}`] as CsvCell]);
  })
  // The ticket's tags in one cell ("billing, vip"): names never contain a comma (src/tags/schema.ts).
  .concat([['tags', (r: TicketRow) => (Array.isArray(r.tags) ? r.tags.join(', ') : ((r.tags as CsvCell) ?? ''))]]);

// --- audit ----------------------------------------------------------------------------------------

/** The ticket fields a history shows (the events' ticket_id is `id`). */
export const AUDITED_FIELDS: readonly string[] = fields.filter((f) => f.audited).map((f) => f.name);
export const USER_REFERENCE_FIELDS: readonly string[] = fields.filter((f) => f.type === 'user').map((f) => f.name);

/** Select list over contact_submission_events for the audited fields. */
export const AUDIT_EVENT_SELECT = fields
  .filter((f) => f.audited)
  .map((f) => (f.name === 'id' ? 'ticket_id AS id' : f.type === 'inet' ? `host(${f.name}) AS ${f.name}` : f.name))
  .join(', ');

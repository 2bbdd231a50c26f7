// How a change to tickets is planned and written, for ONE ticket and for many alike: the REST
// and panel single-ticket paths call these with one id, bulk actions with many. The status side
// effects (resolver, resolution time, the resolution email) exist here only.
import type pg from 'pg';
import type { Actor } from '../auth/actor.js';
import { AppError } from '../errors.js';
import { pgRunner } from '../db/sql.js';
import { isUuid } from '../shared/ids.js';
import { queueTicketMails } from '../mail/mail.queue.js';
import { queueWebhookEvents, ticketChangeEvents } from '../webhooks/events.js';
import { SLA_ASSIGNMENTS, slaForChanges, slaParams, writeSla } from '../sla/sla.service.js';
import type { TicketStatus } from './ticket.fields.js';
import { fieldByName } from './ticket.shape.js';
import { ACTION_RULES, assertTransition, skipReason, type TicketAction } from './ticket-workflow.js';

/** The ticket's row (columns by name) as read under the lock; a change decides on it. */
export interface LockedTicket extends Record<string, unknown> {
  id: string;
  status: TicketStatus;
  assigned_to_id: string | null;
  ticket_number: string;
  email: string;
  updated_at: Date;
}

/** Locks the rows in id order (two overlapping bulk changes cannot deadlock) for the transaction. */
export async function lockTickets(client: pg.ClientBase, ids: string[]): Promise<LockedTicket[]> {
  const { rows } = await client.query<LockedTicket>(
    `SELECT * FROM contact_submissions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  return rows;
}

export type ColumnSet = Record<string, unknown>;

/** Side effects of a status change: resolving records who and when; reopening clears them. */
export function statusChangeSet(
  actor: Pick<Actor, 'id'> | null,
  from: TicketStatus,
  to: TicketStatus,
  now: Date,
): ColumnSet {
  if (from === to) return {};
  const set: ColumnSet = { status: to };
  // archived → resolved is a restore: it keeps the original resolver.
  if (to === 'resolved' && from !== 'archived')
    Object.assign(set, { resolved_by_id: actor?.id ?? null, resolved_at: now });
  if (from === 'resolved' && (to === 'in_progress' || to === 'pending'))
    Object.assign(set, { resolved_by_id: null, resolved_at: null });
  return set;
}

export interface ActionOptions {
  force?: boolean;
  resolutionNotes?: string;
}

export type Planned = { ok: true; set: ColumnSet } | { ok: false; code: string; reason: string };

/**
 * What a workflow action does to one ticket, or why it does not apply. `actor` null: the system
 * (the auto-archive sweep, src/sla/auto-archive.ts), which cannot take tickets.
 */
export function planAction(
  action: TicketAction,
  t: LockedTicket,
  actor: Actor | null,
  opts: ActionOptions,
  now: Date,
): Planned {
  const rule = ACTION_RULES[action];
  if (!rule.from.includes(t.status))
    return { ok: false, code: 'invalid_transition', reason: skipReason(action, t.status) };
  if (action === 'assign_to_me') {
    if (!actor) return { ok: false, code: 'invalid_transition', reason: 'can only be taken by a user' };
    if (t.assigned_to_id && t.assigned_to_id !== actor.id && !opts.force) {
      return { ok: false, code: 'already_assigned', reason: 'is already assigned to someone else' };
    }
    const set: ColumnSet = { assigned_to_id: actor.id };
    if (t.status === 'pending') set.status = 'in_progress';
    return { ok: true, set };
  }
  const set = statusChangeSet(actor, t.status, rule.to!, now);
  if (action === 'resolve' && opts.resolutionNotes !== undefined) set.resolution_notes = opts.resolutionNotes;
  return { ok: true, set };
}

/** 400 unless `userId` is an active moderator or admin (the rule of `staffOnly` user fields). */
export async function assertAssignable(client: pg.ClientBase | pg.Pool, field: string, userId: string): Promise<void> {
  const invalid = new AppError({
    code: 'validation_error',
    status: 400,
    message: 'The request has invalid fields',
    fields: { [field]: ['must be an active moderator or admin'] },
  });
  if (!isUuid(userId)) throw invalid;
  const { rows } = await client.query(
    `SELECT 1 FROM users WHERE id = $1 AND is_active AND role IN ('moderator', 'admin')`,
    [userId],
  );
  if (!rows.length) throw invalid;
}

/**
 * Column changes for a staff patch of settable fields (snake_case); values equal to the current
 * ones are left out. Checks the rules that go
 * with a field: a status change follows the status machine and carries its side effects, a
 * staff-only user field takes active staff only.
 */
export async function patchSet(
  client: pg.ClientBase,
  actor: Actor,
  current: LockedTicket,
  patch: Record<string, unknown>,
  now: Date,
): Promise<ColumnSet> {
  const set: ColumnSet = {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const field = fieldByName(name);
    if (!field?.settable) throw new Error(`ticket field ${name} is not settable`);
    if (name === 'status') {
      assertTransition(current.status, value as TicketStatus);
      Object.assign(set, statusChangeSet(actor, current.status, value as TicketStatus, now));
    } else if (current[name] !== value) {
      // Unchanged values are not written: an edit form saved as it was is not an event.
      if (field.type === 'user' && field.staffOnly && value !== null)
        await assertAssignable(client, name, value as string);
      set[name] = value;
    }
  }
  return set;
}

/**
 * Writes planned changes: one UPDATE per distinct set of columns (a bulk action usually has one
 * or two), then the emails the status changes cause, in one statement. updated_at always moves
 * forward (by at least 1 ms) so it works as the row's version for stale-edit checks.
 */
export async function applyChanges(
  client: pg.PoolClient,
  now: Date,
  changes: Array<{ ticket: LockedTicket; set: ColumnSet }>,
  /** false: a reply that resolves carries the news itself, so no separate resolution email. */
  opts: {
    resolutionMail?: boolean;
    /** A public message was added in this transaction: the SLA clocks are recomputed. */
    threadChanged?: boolean;
  } = {},
): Promise<void> {
  const groups = new Map<string, { set: ColumnSet; ids: string[] }>();
  for (const { ticket, set } of changes) {
    const key = JSON.stringify(Object.entries(set).sort(([a], [b]) => a.localeCompare(b)));
    const g = groups.get(key) ?? { set, ids: [] };
    g.ids.push(ticket.id);
    groups.set(key, g);
  }
  // The SLA due times move with status, priority, category and the thread (src/sla), in this
  // transaction: computed first, written by the same UPDATE as the change (one row version).
  const sla = await slaForChanges(client, now, changes, { threadChanged: opts.threadChanged });
  for (const { set, ids } of groups.values()) {
    const cols = Object.keys(set);
    const values = cols.map((c) => set[c]);
    // A group's tickets all have their clocks recomputed or none (one set, the same options).
    if (ids.every((id) => sla.has(id))) {
      const assignments = cols.map((c, i) => `, ${c} = $${i + 7}${castOf(c)}`).join('');
      await client.query(
        `UPDATE contact_submissions t SET updated_at = GREATEST($6, t.updated_at + interval '1 millisecond'),
           ${SLA_ASSIGNMENTS}${assignments}
         FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
           AS u(id, fr_due, fr_at, res_due, paused)
         WHERE t.id = u.id`,
        [...slaParams(ids, sla), now, ...values],
      );
    } else {
      const assignments = cols.map((c, i) => `, ${c} = $${i + 3}${castOf(c)}`).join('');
      await client.query(
        `UPDATE contact_submissions SET updated_at = GREATEST($2, updated_at + interval '1 millisecond')${assignments}
         WHERE id = ANY($1::uuid[])`,
        [ids, now, ...values],
      );
      await writeSla(
        client,
        ids.filter((id) => sla.has(id)),
        sla,
      );
    }
  }
  const resolved = changes.filter(
    ({ ticket, set }) =>
      opts.resolutionMail !== false &&
      set.status === 'resolved' &&
      ticket.status !== 'resolved' &&
      ticket.status !== 'archived',
  );
  await queueTicketMails(
    pgRunner(client),
    resolved.map(({ ticket }) => ({
      ticketId: ticket.id,
      ticketNumber: ticket.ticket_number,
      kind: 'contact_resolved' as const,
      recipients: [ticket.email],
    })),
  );
  // ticket.updated (with the changed fields) and ticket.resolved, for every path that changes tickets.
  await queueWebhookEvents(client, now, ticketChangeEvents(changes));
}

/** Enum columns need their type for a parameter that is compared or assigned as text. */
function castOf(column: string): string {
  const f = fieldByName(column);
  return f?.type === 'enum' ? `::"${f.pgType}"` : '';
}

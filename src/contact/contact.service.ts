// Contact use cases. Every path that changes a ticket (REST, AdminJS actions and forms, jobs,
// CLI) calls these functions: the rules, the emails and the audit context live here only.
import type pg from 'pg';
import { requireAdmin, requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import { AppError, notFound, staleEdit } from '../errors.js';
import type { AppContext } from '../context.js';
import type { AuditSource } from '../db/tx.js';
import { inPgTransaction } from '../db/tx.js';
import { pgRunner } from '../db/sql.js';
import { assertUuid, isUuid } from '../shared/ids.js';
import { queueTicketMail } from '../mail/mail.queue.js';
import type { SubmissionRow, SubmitInput, TicketCategory, TicketStatus } from './contact.schema.js';
import { findTicket, lockTicket, type Ticket } from './ticket.repository.js';
import { ACTION_RULES, actionRefused, assertTransition, type TicketAction } from './ticket-workflow.js';
import { submissionBatcher, type SubmitMeta } from './submit-writer.js';

export type { SubmitMeta };

/**
 * The public submission: number → insert → queue confirmation and admin alert, committed
 * together. Concurrent submissions share a transaction (group commit, see submit-writer.ts).
 */
export function submitContact(ctx: AppContext, input: SubmitInput, meta: SubmitMeta): Promise<SubmissionRow> {
  return submissionBatcher(ctx).submit(input, meta);
}

// ---------------------------------------------------------------------------------------------
// Moderator use cases. Each runs in one transaction with the ticket row locked, so two
// moderators acting at once are serialised: the second sees the first one's result.

export interface ServiceMeta {
  source: AuditSource;
  requestId?: string | null;
}

export interface TicketPatch {
  status?: TicketStatus;
  category?: TicketCategory;
  adminNotes?: string;
  /** `null` unassigns. */
  assignedToId?: string | null;
}

/** Optimistic concurrency for edit forms: the version the editor saw when it opened the form. */
export interface EditOptions {
  /**
   * The ticket's updated_at as the form loaded it. When the row has changed since (another
   * moderator's note, assignment or status change), the save is refused with 409 stale_edit
   * instead of silently writing the form's old values over that change.
   */
  expectedUpdatedAt?: Date;
}

export interface ActionOptions {
  force?: boolean;
  resolutionNotes?: string;
}

export async function getTicket(ctx: AppContext, actor: Actor | null, id: string): Promise<Ticket> {
  requireStaff(actor);
  assertUuid(id);
  const ticket = await findTicket(ctx.db.pool, id);
  if (!ticket) throw notFound('Ticket');
  return ticket;
}

async function mutateTicket(
  ctx: AppContext,
  actor: Actor,
  id: string,
  meta: ServiceMeta,
  change: (client: pg.PoolClient, current: LockedTicket) => Promise<void>,
): Promise<Ticket> {
  assertUuid(id);
  const writeCtx = { actorId: actor.id, source: meta.source, requestId: meta.requestId };
  return inPgTransaction(ctx.db, writeCtx, async (client) => {
    const current = await lockTicket(client, id);
    if (!current) throw notFound('Ticket');
    await change(client, current);
    return (await findTicket(client, id))!;
  });
}

type LockedTicket = NonNullable<Awaited<ReturnType<typeof lockTicket>>>;

/**
 * Builds "col = $n" assignments for the fields that change, plus updated_at. updated_at always
 * moves forward (by at least 1 ms) so it works as the row's version for stale-edit checks, even
 * when two changes land within the same millisecond or the clock is held still.
 */
async function applyUpdate(client: pg.PoolClient, id: string, now: Date, set: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(set);
  const assignments = cols.map((c, i) => `${c} = $${i + 3}`);
  await client.query(
    `UPDATE contact_submissions SET updated_at = GREATEST($2, updated_at + interval '1 millisecond')${assignments.length ? ', ' : ''}${assignments.join(', ')} WHERE id = $1`,
    [id, now, ...cols.map((c) => set[c])],
  );
}

/** Status-change side effects shared by PATCH, actions and the panel's edit form. */
function statusChangeSet(actor: Actor, from: TicketStatus, to: TicketStatus, now: Date): Record<string, unknown> {
  if (from === to) return {};
  const set: Record<string, unknown> = { status: to };
  if (to === 'resolved' && from !== 'archived') Object.assign(set, { resolved_by_id: actor.id, resolved_at: now });
  // Reopening clears the resolution; archiving and restoring keep it.
  if (from === 'resolved' && (to === 'in_progress' || to === 'pending'))
    Object.assign(set, { resolved_by_id: null, resolved_at: null });
  return set;
}

async function queueResolvedMailIfNeeded(client: pg.PoolClient, current: LockedTicket, to: TicketStatus | undefined) {
  if (to === 'resolved' && current.status !== 'resolved' && current.status !== 'archived') {
    await queueTicketMail(pgRunner(client), {
      ticketId: current.id,
      ticketNumber: current.ticket_number,
      kind: 'contact_resolved',
      recipients: [current.email],
    });
  }
}

export async function assertAssignable(client: pg.ClientBase | pg.Pool, userId: string): Promise<void> {
  const invalid = new AppError({
    code: 'validation_error',
    status: 400,
    message: 'The request has invalid fields',
    fields: { assigned_to_id: ['must be an active moderator or admin'] },
  });
  if (!isUuid(userId)) throw invalid;
  const { rows } = await client.query(
    `SELECT 1 FROM users WHERE id = $1 AND is_active AND role IN ('moderator', 'admin')`,
    [userId],
  );
  if (!rows.length) throw invalid;
}

export async function updateTicket(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  patch: TicketPatch,
  meta: ServiceMeta,
  opts: EditOptions = {},
): Promise<Ticket> {
  requireStaff(actor);
  return mutateTicket(ctx, actor, id, meta, async (client, current) => {
    // Checked under the row lock, so a change committed just before ours is always seen.
    if (opts.expectedUpdatedAt && current.updated_at.getTime() !== opts.expectedUpdatedAt.getTime()) {
      throw staleEdit('ticket');
    }
    const now = ctx.clock.now();
    const set: Record<string, unknown> = {};
    if (patch.category !== undefined) set.category = patch.category;
    if (patch.adminNotes !== undefined) set.admin_notes = patch.adminNotes;
    if (patch.assignedToId !== undefined) {
      if (patch.assignedToId !== null) await assertAssignable(client, patch.assignedToId);
      set.assigned_to_id = patch.assignedToId;
    }
    if (patch.status !== undefined) {
      assertTransition(current.status, patch.status);
      Object.assign(set, statusChangeSet(actor, current.status, patch.status, now));
    }
    if (Object.keys(set).length === 0) return;
    await applyUpdate(client, id, now, set);
    await queueResolvedMailIfNeeded(client, current, patch.status);
  });
}

export async function runTicketAction(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  action: TicketAction,
  opts: ActionOptions,
  meta: ServiceMeta,
): Promise<Ticket> {
  requireStaff(actor);
  return mutateTicket(ctx, actor, id, meta, async (client, current) => {
    const now = ctx.clock.now();
    const rule = ACTION_RULES[action];
    if (!rule.from.includes(current.status)) throw actionRefused(action, current.ticket_number, current.status);
    if (action === 'assign_to_me') {
      if (current.assigned_to_id && current.assigned_to_id !== actor.id && !opts.force) {
        throw new AppError({
          code: 'already_assigned',
          status: 409,
          message: `Ticket ${current.ticket_number} is already assigned to someone else; send {"force": true} to take it over`,
        });
      }
      const set: Record<string, unknown> = { assigned_to_id: actor.id };
      if (current.status === 'pending') set.status = 'in_progress';
      await applyUpdate(client, id, now, set);
      return;
    }
    const to = rule.to!;
    const set = statusChangeSet(actor, current.status, to, now);
    if (action === 'resolve' && opts.resolutionNotes !== undefined) set.resolution_notes = opts.resolutionNotes;
    await applyUpdate(client, id, now, set);
    await queueResolvedMailIfNeeded(client, current, to);
  });
}

export async function deleteTicket(ctx: AppContext, actor: Actor | null, id: string, meta: ServiceMeta): Promise<void> {
  requireAdmin(actor);
  assertUuid(id);
  await inPgTransaction(
    ctx.db,
    { actorId: actor.id, source: meta.source, requestId: meta.requestId },
    async (client) => {
      const { rowCount } = await client.query('DELETE FROM contact_submissions WHERE id = $1', [id]);
      if (!rowCount) throw notFound('Ticket');
    },
  );
}

/**
 * Deletes several tickets (the panel's bulk delete) in one statement and one transaction: all of
 * them or none. If one is already gone, or the delete fails on any row, nothing is deleted, and
 * the audit events of a successful delete all carry the same request.
 */
export async function deleteTickets(
  ctx: AppContext,
  actor: Actor | null,
  ids: readonly string[],
  meta: ServiceMeta,
): Promise<number> {
  requireAdmin(actor);
  const unique = [...new Set(ids)];
  unique.forEach((id) => assertUuid(id, 'ids'));
  if (!unique.length) return 0;
  await inPgTransaction(
    ctx.db,
    { actorId: actor.id, source: meta.source, requestId: meta.requestId },
    async (client) => {
      const { rowCount } = await client.query('DELETE FROM contact_submissions WHERE id = ANY($1::uuid[])', [unique]);
      if (rowCount !== unique.length) throw notFound('Ticket');
    },
  );
  return unique.length;
}

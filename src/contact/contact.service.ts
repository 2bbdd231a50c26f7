// Contact use cases. Every path that changes a ticket (REST, AdminJS actions and forms, jobs,
// CLI) calls these functions: the rules, the emails and the audit context live here only.
import type pg from 'pg';
import { requireAdmin, requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import { AppError, notFound, staleEdit } from '../errors.js';
import type { AppContext } from '../context.js';
import type { AuditSource } from '../db/tx.js';
import { inPgTransaction } from '../db/tx.js';
import { assertUuid } from '../shared/ids.js';
import type { SubmissionRow, SubmitInput } from './contact.schema.js';
import { applyChanges, lockTickets, patchSet, planAction, type ActionOptions, type LockedTicket } from './ticket-changes.js';
import { findTicket } from './ticket.repository.js';
import type { Ticket, TicketPatch } from './ticket.shape.js';
import { actionRefused, type TicketAction } from './ticket-workflow.js';
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

export type { TicketPatch, ActionOptions };

/** Optimistic concurrency for edit forms: the version the editor saw when it opened the form. */
export interface EditOptions {
  /**
   * The ticket's updated_at as the form loaded it. When the row has changed since (another
   * moderator's note, assignment or status change), the save is refused with 409 stale_edit
   * instead of silently writing the form's old values over that change.
   */
  expectedUpdatedAt?: Date;
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
    const [current] = await lockTickets(client, [id]);
    if (!current) throw notFound('Ticket');
    await change(client, current);
    return (await findTicket(client, id))!;
  });
}

/** A staff change of settable fields (PATCH, the panel edit form); `patch` as parsed by ticketPatchSchema. */
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
    const set = await patchSet(client, actor, current, patch, now);
    if (Object.keys(set).length) await applyChanges(client, now, [{ ticket: current, set }]);
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
    const planned = planAction(action, current, actor, opts, now);
    if (!planned.ok && planned.code === 'already_assigned') {
      throw new AppError({
        code: 'already_assigned',
        status: 409,
        message: `Ticket ${current.ticket_number} is already assigned to someone else; send {"force": true} to take it over`,
      });
    }
    if (!planned.ok) throw actionRefused(action, current.ticket_number, current.status);
    await applyChanges(client, now, [{ ticket: current, set: planned.set }]);
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

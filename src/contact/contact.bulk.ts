// Bulk changes (panel bulk actions): the same planning and writing as the single-ticket paths
// (ticket-changes.ts), for every selected ticket in one transaction, with one UPDATE per distinct
// change, and a per-ticket reason for every ticket that was skipped.
import type pg from 'pg';
import { z } from 'zod';
import { requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { inPgTransaction } from '../db/tx.js';
import { parseInput } from '../shared/input.js';
import { assertUuid } from '../shared/ids.js';
import type { ServiceMeta } from './contact.service.js';
import { applyChanges, lockTickets, patchSet, planAction, type ActionOptions, type ColumnSet, type LockedTicket } from './ticket-changes.js';
import { bulkSettableFields, settableValueSchema } from './ticket.shape.js';
import type { TicketAction } from './ticket-workflow.js';

export interface BulkResult {
  changed: Array<{ id: string; ticketNumber: string }>;
  skipped: Array<{ id: string; ticketNumber: string | null; reason: string }>;
}

type Plan = (client: pg.PoolClient, t: LockedTicket) => Promise<{ set: ColumnSet } | { reason: string; code?: string }>;

async function bulkChange(
  ctx: AppContext,
  actor: Actor,
  ids: string[],
  meta: ServiceMeta,
  plan: Plan,
): Promise<BulkResult> {
  const unique = [...new Set(ids)];
  unique.forEach((id) => assertUuid(id, 'ids'));
  const now = ctx.clock.now();
  return inPgTransaction(ctx.db, { actorId: actor.id, source: meta.source, requestId: meta.requestId }, async (client) => {
    const locked = new Map((await lockTickets(client, unique)).map((t) => [t.id, t]));
    const changes: Array<{ ticket: LockedTicket; set: ColumnSet }> = [];
    const skipped: BulkResult['skipped'] = [];
    const assignedSkips: Array<{ id: string; assignee: string }> = [];
    for (const id of unique) {
      const ticket = locked.get(id);
      if (!ticket) {
        skipped.push({ id, ticketNumber: null, reason: 'not found' });
        continue;
      }
      const planned = await plan(client, ticket);
      if ('set' in planned) {
        if (Object.keys(planned.set).length) changes.push({ ticket, set: planned.set });
        else skipped.push({ id, ticketNumber: ticket.ticket_number, reason: 'has that value already' });
      } else {
        skipped.push({ id, ticketNumber: ticket.ticket_number, reason: planned.reason });
        if (planned.code === 'already_assigned') assignedSkips.push({ id, assignee: ticket.assigned_to_id! });
      }
    }
    await applyChanges(client, now, changes);
    if (assignedSkips.length) {
      // Name the colleague who has it, so the moderator knows whom to ask.
      const { rows } = await client.query<{ id: string; name: string }>(
        'SELECT id, name FROM users WHERE id = ANY($1::uuid[])',
        [assignedSkips.map((s) => s.assignee)],
      );
      const names = new Map(rows.map((r) => [r.id, r.name]));
      for (const s of assignedSkips) {
        const entry = skipped.find((k) => k.id === s.id)!;
        entry.reason = `is already assigned to ${names.get(s.assignee) ?? 'someone else'}`;
      }
    }
    return { changed: changes.map((c) => ({ id: c.ticket.id, ticketNumber: c.ticket.ticket_number })), skipped };
  });
}

/** A workflow action on many tickets: the tickets it applies to change, the others are listed with why not. */
export async function bulkTicketAction(
  ctx: AppContext,
  actor: Actor | null,
  ids: string[],
  action: TicketAction,
  opts: ActionOptions,
  meta: ServiceMeta,
): Promise<BulkResult> {
  requireStaff(actor);
  const now = ctx.clock.now();
  return bulkChange(ctx, actor, ids, meta, async (_client, t) => {
    const planned = planAction(action, t, actor, opts, now);
    return planned.ok ? { set: planned.set } : { reason: planned.reason, code: planned.code };
  });
}

/** "Set <field>" on many tickets, for fields declared `bulk` (the value is validated like PATCH's). */
export async function bulkSetField(
  ctx: AppContext,
  actor: Actor | null,
  ids: string[],
  field: string,
  value: unknown,
  meta: ServiceMeta,
): Promise<BulkResult> {
  requireStaff(actor);
  if (!bulkSettableFields.some((f) => f.name === field)) throw new Error(`ticket field ${field} is not bulk-settable`);
  const patch = parseInput(z.strictObject({ [field]: settableValueSchema(field) }), { [field]: value });
  const now = ctx.clock.now();
  return bulkChange(ctx, actor, ids, meta, async (client, t) => ({ set: await patchSet(client, actor, t, patch, now) }));
}

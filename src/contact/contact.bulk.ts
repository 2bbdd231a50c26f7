// Bulk workflow actions (panel bulk actions): one UPDATE for all the tickets that qualify, the
// same rules as the single-ticket actions (ticket-workflow.ts), and a per-ticket reason for every
// ticket that was skipped.
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { inPgTransaction } from '../db/tx.js';
import { MAIL_MAX_ATTEMPTS } from '../mail/mail.queue.js';
import type { TicketStatus } from './contact.schema.js';
import { requireStaff } from '../auth/access.js';
import { assertUuid } from '../shared/ids.js';
import type { ActionOptions, ServiceMeta } from './contact.service.js';
import { ACTION_RULES, skipReason, type TicketAction } from './ticket-workflow.js';

export interface BulkResult {
  changed: Array<{ id: string; ticketNumber: string }>;
  skipped: Array<{ id: string; ticketNumber: string | null; reason: string }>;
}

/**
 * SET clause per action, reading the typed `args` row ($3 actor id, $4 now, $5 resolution notes).
 * The args CTE gives every parameter a type even when an action's clause does not use it:
 * PostgreSQL rejects a statement with an untyped unused parameter ("could not determine data
 * type of parameter $3"), which is what archive / restore / reopen used to hit.
 */
const SET_CLAUSES: Record<TicketAction, string> = {
  assign_to_me: `assigned_to_id = args.actor_id, status = CASE WHEN t.status = 'pending' THEN 'in_progress'::"TicketStatus" ELSE t.status END`,
  resolve: `status = 'resolved', resolved_by_id = args.actor_id, resolved_at = args.now, resolution_notes = COALESCE(args.notes, t.resolution_notes)`,
  reopen: `status = 'in_progress', resolved_by_id = NULL, resolved_at = NULL`,
  archive: `status = 'archived'`,
  restore: `status = 'resolved'`,
};

export async function bulkTicketAction(
  ctx: AppContext,
  actor: Actor | null,
  ids: string[],
  action: TicketAction,
  opts: ActionOptions,
  meta: ServiceMeta,
): Promise<BulkResult> {
  requireStaff(actor);
  const unique = [...new Set(ids)];
  unique.forEach((id) => assertUuid(id, 'ids'));
  const rule = ACTION_RULES[action];
  const now = ctx.clock.now();
  return inPgTransaction(
    ctx.db,
    { actorId: actor.id, source: meta.source, requestId: meta.requestId },
    async (client) => {
      const assignGuard =
        action === 'assign_to_me' && !opts.force ? 'AND (assigned_to_id IS NULL OR assigned_to_id = $3::uuid)' : '';
      // Rows are locked in id order so two overlapping bulk actions cannot deadlock each other.
      // updated_at always moves forward: it is the version edit forms check (see applyUpdate).
      const { rows: changed } = await client.query<{ id: string; ticket_number: string; email: string }>(
        `WITH args AS (SELECT $3::uuid AS actor_id, $4::timestamptz AS now, $5::text AS notes),
       target AS (
         SELECT id FROM contact_submissions
         WHERE id = ANY($1::uuid[]) AND status = ANY($2::"TicketStatus"[]) ${assignGuard}
         ORDER BY id
         FOR UPDATE
       )
       UPDATE contact_submissions t SET updated_at = GREATEST(args.now, t.updated_at + interval '1 millisecond'), ${SET_CLAUSES[action]}
       FROM target, args WHERE t.id = target.id
       RETURNING t.id, t.ticket_number, t.email`,
        [unique, rule.from, actor.id, now, action === 'resolve' ? (opts.resolutionNotes ?? null) : null],
      );
      if (action === 'resolve' && changed.length) {
        // Same mail as a single resolve, queued in the same transaction, one statement for all.
        await client.query(
          `WITH deliveries AS (
           INSERT INTO email_deliveries (id, ticket_id, ticket_number, kind, recipient, updated_at)
           SELECT gen_random_uuid(), t.id, t.num, 'contact_resolved', t.email, now()
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, num, email)
           ON CONFLICT (ticket_id, kind, recipient) DO NOTHING
           RETURNING id, ticket_id, recipient
         )
         SELECT graphile_worker.add_job('contact_resolved', json_build_object('deliveryId', id),
           job_key := 'mail:contact_resolved:' || ticket_id || ':' || lower(recipient), max_attempts := $4::int)
         FROM deliveries`,
          [
            changed.map((c) => c.id),
            changed.map((c) => c.ticket_number),
            changed.map((c) => c.email),
            MAIL_MAX_ATTEMPTS,
          ],
        );
      }
      const changedIds = new Set(changed.map((c) => c.id));
      const rest = unique.filter((id) => !changedIds.has(id));
      const skipped: BulkResult['skipped'] = [];
      if (rest.length) {
        const { rows } = await client.query<{
          id: string;
          ticket_number: string;
          status: TicketStatus;
          assignee: string | null;
        }>(
          `SELECT t.id, t.ticket_number, t.status, u.name AS assignee
         FROM contact_submissions t LEFT JOIN users u ON u.id = t.assigned_to_id WHERE t.id = ANY($1::uuid[])`,
          [rest],
        );
        const found = new Map(rows.map((r) => [r.id, r]));
        for (const id of rest) {
          const r = found.get(id);
          if (!r) skipped.push({ id, ticketNumber: null, reason: 'not found' });
          else if (!rule.from.includes(r.status))
            skipped.push({ id, ticketNumber: r.ticket_number, reason: skipReason(action, r.status) });
          else
            skipped.push({
              id,
              ticketNumber: r.ticket_number,
              reason: `is already assigned to ${r.assignee ?? 'someone else'}`,
            });
        }
      }
      return { changed: changed.map((c) => ({ id: c.id, ticketNumber: c.ticket_number })), skipped };
    },
  );
}

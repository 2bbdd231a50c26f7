// A ticket's conversation: the thread (the original message first, then replies, internal notes
// and customer messages) and the use cases that add to it. Staff write through postStaffMessage
// (REST, panel); customers through addCustomerMessage (inbound mail, the customer page). Each runs
// in one transaction with the ticket locked: message, status change and reply email together.
import type pg from 'pg';
import { requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { inPgTransaction, type AuditSource } from '../db/tx.js';
import { pgRunner } from '../db/sql.js';
import { AppError, notFound } from '../errors.js';
import { queueTicketMails } from '../mail/mail.queue.js';
import { queueWebhookEvents } from '../webhooks/events.js';
import { assertUuid } from '../shared/ids.js';
import {
  applyChanges,
  lockTickets,
  statusChangeSet,
  type ColumnSet,
  type LockedTicket,
} from '../contact/ticket-changes.js';
import type { TicketStatus } from '../contact/ticket.fields.js';
import { assertTransition } from '../contact/ticket-workflow.js';
import type { MessageUpload } from '../attachments/attachments.service.js';
import { recomputeSla } from '../sla/sla.service.js';
import { loadThread, type ThreadMessage } from './thread.repository.js';

export type { ThreadMessage };

export interface ConversationMeta {
  source: AuditSource;
  requestId?: string | null;
}

export interface StaffMessageInput {
  kind: 'reply' | 'note';
  body: string;
  /** Change the status in the same step ("Reply and resolve"). */
  status?: 'in_progress' | 'resolved';
  /**
   * The newest thread entry the writer had seen. When something newer arrived since (a customer
   * message, a colleague's reply), the message is refused with 409 stale_thread instead of sent
   * blind; the writer reads it and sends again with the new id.
   */
  lastSeenMessageId?: string | null;
}

export async function getThread(ctx: AppContext, actor: Actor | null, ticketId: string): Promise<ThreadMessage[]> {
  requireStaff(actor);
  assertUuid(ticketId);
  const thread = await loadThread(ctx.db.pool, ticketId, { includeNotes: true });
  if (!thread) throw notFound('Ticket');
  return thread;
}

/** The id of the thread's newest entry (the ticket id itself while only the original message exists). */
async function newestEntryId(client: pg.ClientBase, ticketId: string): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM ticket_messages WHERE ticket_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [ticketId],
  );
  return rows[0]?.id ?? ticketId;
}

function staleThread(): AppError {
  return new AppError({
    code: 'stale_thread',
    status: 409,
    message: 'The conversation has a newer message than the one you saw; read it, then send again',
  });
}

/**
 * Staff reply (emailed to the customer, with its files) or internal note (never emailed). With
 * `files` (a multipart request) the message is written in the upload's transaction: the files,
 * the message, the status change and the reply mail commit together or not at all.
 */
export async function postStaffMessage(
  ctx: AppContext,
  actor: Actor | null,
  ticketId: string,
  input: StaffMessageInput,
  meta: ConversationMeta,
  files?: MessageUpload,
): Promise<{ message: ThreadMessage; ticketStatus: TicketStatus }> {
  requireStaff(actor);
  assertUuid(ticketId);
  const writeCtx = { actorId: actor.id, source: meta.source, requestId: meta.requestId };
  const inTx = <T>(fn: (client: pg.PoolClient, attach?: (t: string, m: string) => Promise<unknown>) => Promise<T>) =>
    files ? files.transaction(writeCtx, fn) : inPgTransaction(ctx.db, writeCtx, (client) => fn(client));
  const messageId = await inTx(async (client, attach) => {
    const [ticket] = await lockTickets(client, [ticketId]);
    if (!ticket) throw notFound('Ticket');
    if (input.lastSeenMessageId !== undefined && input.lastSeenMessageId !== null) {
      if ((await newestEntryId(client, ticketId)) !== input.lastSeenMessageId) throw staleThread();
    }
    const now = ctx.clock.now();
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO ticket_messages (ticket_id, kind, author_id, author_name, author_email, body_text, channel, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        ticketId,
        input.kind,
        actor.id,
        actor.name,
        actor.email,
        input.body,
        meta.source === 'admin' ? 'panel' : 'api',
        now,
      ],
    );
    const id = rows[0]!.id;
    // The rows before the mail is queued: the mail job reads the reply's files when it sends.
    await attach?.(ticketId, id);
    // message.created (a note only reaches endpoints that opted in to internal notes).
    await queueWebhookEvents(client, now, [{ type: 'message.created', ticketId, messageId: id }]);
    const set = staffStatusSet(actor, ticket, input, now);
    if (Object.keys(set).length) {
      // A reply that resolves is the one mail the customer gets; a note that resolves sends the usual one.
      await applyChanges(client, now, [{ ticket, set }], {
        resolutionMail: input.kind !== 'reply',
        threadChanged: input.kind === 'reply',
      });
    } else if (input.kind === 'reply') {
      // A public reply moves the SLA clocks (first response, waiting on the customer) by itself.
      await recomputeSla(client, [ticketId], now, { locked: true });
    }
    if (input.kind === 'reply') {
      await queueTicketMails(pgRunner(client), [
        {
          ticketId,
          ticketNumber: ticket.ticket_number,
          kind: 'ticket_reply',
          recipients: [ticket.email],
          ticketMessageId: id,
        },
      ]);
    }
    return id;
  });
  const thread = (await loadThread(ctx.db.pool, ticketId, { includeNotes: true }))!;
  const message = thread.find((m) => m.id === messageId)!;
  const { rows } = await ctx.db.pool.query<{ status: TicketStatus }>(
    'SELECT status FROM contact_submissions WHERE id = $1',
    [ticketId],
  );
  return { message, ticketStatus: rows[0]!.status };
}

/**
 * Status rules of a staff message: the first public reply to a pending ticket takes it in
 * progress and assigns it to the replier when nobody has it; `status` changes it explicitly
 * (resolve with the reply, or reopen) under the status machine.
 */
function staffStatusSet(actor: Actor, t: LockedTicket, input: StaffMessageInput, now: Date): ColumnSet {
  const target = input.status ?? (input.kind === 'reply' && t.status === 'pending' ? 'in_progress' : undefined);
  const set: ColumnSet = {};
  if (target && target !== t.status) {
    assertTransition(t.status, target);
    Object.assign(set, statusChangeSet(actor, t.status, target, now));
  }
  if (input.kind === 'reply' && t.status === 'pending' && !t.assigned_to_id) set.assigned_to_id = actor.id;
  return set;
}

// A customer writes (an email reply, later the customer page): the message joins its ticket's
// thread, or opens a ticket. Rules:
// - a message on an open ticket is appended (its updated_at moves: the queue sees the activity);
// - on a resolved ticket within REOPEN_WINDOW_DAYS it reopens it (in progress);
// - on a ticket resolved longer ago, or archived, it opens a NEW ticket linked to the old one;
// - with no ticket (nothing matched), it opens a new ticket (channel email, category general).
// The same Message-ID twice is one message (idempotent: a re-delivered mail changes nothing).
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { inPgTransaction, type AuditSource } from '../db/tx.js';
import { applyChanges, lockTickets, statusChangeSet, type ColumnSet } from '../contact/ticket-changes.js';
import { writeSubmissionsIn } from '../contact/submit-writer.js';
import { queueWebhookEvents } from '../webhooks/events.js';
import { CONTROL_CHARS } from '../shared/text.js';

export interface CustomerMessageInput {
  /** The ticket the message was matched to; null opens a new ticket. */
  ticketId: string | null;
  fromEmail: string;
  fromName: string;
  subject: string;
  /** The new text (quoted history and signature already cut; the raw mail keeps the rest). */
  bodyText: string;
  /** Sanitised HTML when the message came as HTML. */
  bodyHtml: string | null;
  /** The mail's Message-ID, e.g. `<abc@mail.example>`. */
  messageId: string | null;
  inboundMailId: string | null;
  channel: 'email' | 'portal';
  /** false: open a ticket without the confirmation email (automated sender, auto-reply limit). */
  confirmation?: boolean;
}

export type CustomerMessageOutcome = 'appended' | 'reopened' | 'new_ticket' | 'follow_up' | 'duplicate';

export interface CustomerMessageResult {
  outcome: CustomerMessageOutcome;
  ticketId: string;
  ticketNumber: string;
  /** The thread message (null when the message opened the ticket: it is the ticket's own message). */
  messageId: string | null;
}

export interface CustomerMeta {
  source: AuditSource;
  requestId?: string | null;
}

const DAY_MS = 86_400_000;
const MAX_MESSAGE = 20_000;

/** Values from a mail go where form values go: one line, bounded, no control characters. */
const line = (s: string, max: number) =>
  s
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(new RegExp(CONTROL_CHARS, 'g'), '')
    .trim()
    .slice(0, max);
const text = (s: string) => s.replace(new RegExp(CONTROL_CHARS, 'g'), '');

export function addCustomerMessage(
  ctx: AppContext,
  input: CustomerMessageInput,
  meta: CustomerMeta,
): Promise<CustomerMessageResult> {
  return inPgTransaction(ctx.db, { actorId: null, source: meta.source, requestId: meta.requestId }, (client) =>
    addCustomerMessageIn(ctx, client, input, meta),
  );
}

/** The same inside the caller's transaction (the inbound pipeline records the mail's outcome with it). */
export async function addCustomerMessageIn(
  ctx: AppContext,
  client: pg.PoolClient,
  input: CustomerMessageInput,
  meta: CustomerMeta,
): Promise<CustomerMessageResult> {
  const duplicate = input.messageId ? await findByMessageId(client, input.messageId) : null;
  if (duplicate) return { ...duplicate, outcome: 'duplicate' };
  const now = ctx.clock.now();
  const [ticket] = input.ticketId ? await lockTickets(client, [input.ticketId]) : [];
  if (ticket) {
    const resolvedAt = ticket.resolved_at as Date | null;
    const expired =
      ticket.status === 'archived' ||
      (ticket.status === 'resolved' &&
        (!resolvedAt || now.getTime() - resolvedAt.getTime() > ctx.config.REOPEN_WINDOW_DAYS * DAY_MS));
    if (!expired) {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO ticket_messages (ticket_id, kind, author_name, author_email, body_text, body_html, message_id,
           inbound_mail_id, channel, created_at)
         VALUES ($1, 'customer', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          ticket.id,
          line(input.fromName, 255) || input.fromEmail,
          input.fromEmail,
          text(input.bodyText),
          input.bodyHtml,
          input.messageId,
          input.inboundMailId,
          input.channel,
          now,
        ],
      );
      const reopen = ticket.status === 'resolved';
      const set: ColumnSet = reopen ? statusChangeSet(null, 'resolved', 'in_progress', now) : {};
      await applyChanges(client, now, [{ ticket, set }], { threadChanged: true });
      // A message that opens a ticket is its ticket.created (submit-writer.ts); this one joins a thread.
      await queueWebhookEvents(client, now, [{ type: 'message.created', ticketId: ticket.id, messageId: rows[0]!.id }]);
      return {
        outcome: reopen ? 'reopened' : 'appended',
        ticketId: ticket.id,
        ticketNumber: ticket.ticket_number,
        messageId: rows[0]!.id,
      };
    }
  }
  const body = text(input.bodyText).trim() || '(no text)';
  const [created] = await writeSubmissionsIn(ctx, client, [
    {
      input: {
        name: line(input.fromName, 255) || input.fromEmail.split('@')[0]!,
        email: input.fromEmail,
        subject: line(input.subject, 255) || '(no subject)',
        message:
          body.length > MAX_MESSAGE
            ? `${body.slice(0, MAX_MESSAGE - 60)}\n\n[…] (shortened; the full mail is kept)`
            : body,
        category: 'general',
      },
      meta: {
        actor: null,
        ip: null,
        userAgent: null,
        source: meta.source,
        requestId: meta.requestId,
        channel: 'email',
        parentTicketId: ticket?.id ?? null,
        confirmation: input.confirmation ?? true,
      },
    },
  ]);
  if (input.inboundMailId) {
    // The mail that opened the ticket: its Message-ID starts the customer's thread (mail.service).
    await client.query(`UPDATE inbound_mails SET ticket_id = $2, outcome = 'new_ticket' WHERE id = $1`, [
      input.inboundMailId,
      created!.id,
    ]);
  }
  return {
    outcome: ticket ? 'follow_up' : 'new_ticket',
    ticketId: created!.id,
    ticketNumber: created!.ticketNumber,
    messageId: null,
  };
}

async function findByMessageId(
  client: pg.ClientBase,
  messageId: string,
): Promise<Omit<CustomerMessageResult, 'outcome'> | null> {
  const { rows } = await client.query<{ ticket_id: string; ticket_number: string; message_id: string | null }>(
    `SELECT m.ticket_id, t.ticket_number, m.id AS message_id FROM ticket_messages m
       JOIN contact_submissions t ON t.id = m.ticket_id WHERE m.message_id = $1
     UNION ALL
     SELECT i.ticket_id, t.ticket_number, NULL FROM inbound_mails i
       JOIN contact_submissions t ON t.id = i.ticket_id WHERE i.message_id = $1 AND i.outcome = 'new_ticket'
     LIMIT 1`,
    [messageId],
  );
  const r = rows[0];
  return r ? { ticketId: r.ticket_id, ticketNumber: r.ticket_number, messageId: r.message_id } : null;
}

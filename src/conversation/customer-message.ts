// A customer writes (an email reply, later the customer page): the message joins its ticket's
// thread, or opens a ticket. Rules:
// - a message on an open ticket is appended (its updated_at moves: the queue sees the activity);
// - on a resolved ticket within REOPEN_WINDOW_DAYS it reopens it (in progress);
// - on a ticket resolved longer ago, or archived, it opens a NEW ticket linked to the old one;
// - with no ticket (nothing matched), it opens a new ticket (channel email, category general).
// The same Message-ID twice is one message (idempotent: a re-delivered mail changes nothing).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { inPgTransaction, type AuditSource } from '../db/tx.js';
import {
  applyChanges,
  lockTickets,
  statusChangeSet,
  type ColumnSet,
  type LockedTicket,
} from '../contact/ticket-changes.js';
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
  return (await addCustomerMessagesIn(ctx, client, [{ input, meta }]))[0]!;
}

/**
 * Many customer messages in one transaction, in as many statements as one (the inbound batch,
 * src/inbound/inbound.batch.ts): one duplicate check, one lock of all their tickets (id order),
 * one INSERT of the appended messages, one applyChanges (updated_at, reopen, SLA) and one
 * writeSubmissionsIn for the ones that open a ticket. The rules per message are the ones above.
 * Each message must name a different ticket and Message-ID: a second message to the same ticket
 * has to see the first one's effect, so the caller adds it afterwards.
 */
export async function addCustomerMessagesIn(
  ctx: AppContext,
  client: pg.PoolClient,
  items: ReadonlyArray<{ input: CustomerMessageInput; meta: CustomerMeta }>,
): Promise<CustomerMessageResult[]> {
  assertDistinct(items.map((i) => i.input.ticketId));
  assertDistinct(items.map((i) => i.input.messageId));
  const duplicates = await findByMessageIds(
    client,
    items.flatMap((i) => (i.input.messageId ? [i.input.messageId] : [])),
  );
  const results: Array<CustomerMessageResult | undefined> = items.map(({ input }) => {
    const duplicate = input.messageId ? duplicates.get(input.messageId) : undefined;
    return duplicate && { ...duplicate, outcome: 'duplicate' };
  });
  const now = ctx.clock.now();
  const ticketIds = items.flatMap((i, n) => (!results[n] && i.input.ticketId ? [i.input.ticketId] : []));
  const locked = new Map((ticketIds.length ? await lockTickets(client, ticketIds) : []).map((t) => [t.id, t]));
  const appends: Array<{ n: number; ticket: LockedTicket; id: string }> = [];
  const opens: Array<{ n: number; ticket: LockedTicket | undefined }> = [];
  items.forEach(({ input }, n) => {
    if (results[n]) return;
    const ticket = input.ticketId ? locked.get(input.ticketId) : undefined;
    const resolvedAt = ticket?.resolved_at as Date | null | undefined;
    const expired =
      !ticket ||
      ticket.status === 'archived' ||
      (ticket.status === 'resolved' &&
        (!resolvedAt || now.getTime() - resolvedAt.getTime() > ctx.config.REOPEN_WINDOW_DAYS * DAY_MS));
    if (ticket && !expired) appends.push({ n, ticket, id: randomUUID() });
    else opens.push({ n, ticket });
  });

  if (appends.length) {
    const inputs = appends.map((a) => items[a.n]!.input);
    await client.query(
      `INSERT INTO ticket_messages (id, ticket_id, kind, author_name, author_email, body_text, body_html, message_id,
         inbound_mail_id, channel, created_at)
       SELECT u.id, u.ticket_id, 'customer', u.author_name, u.author_email, u.body_text, u.body_html, u.message_id,
         u.inbound_mail_id, u.channel, $10
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[],
         $9::text[]) AS u(id, ticket_id, author_name, author_email, body_text, body_html, message_id, inbound_mail_id, channel)`,
      [
        appends.map((a) => a.id),
        appends.map((a) => a.ticket.id),
        inputs.map((i) => line(i.fromName, 255) || i.fromEmail),
        inputs.map((i) => i.fromEmail),
        inputs.map((i) => text(i.bodyText)),
        inputs.map((i) => i.bodyHtml),
        inputs.map((i) => i.messageId),
        inputs.map((i) => i.inboundMailId),
        inputs.map((i) => i.channel),
        now,
      ],
    );
    const changes = appends.map(({ ticket }) => ({
      ticket,
      set: (ticket.status === 'resolved' ? statusChangeSet(null, 'resolved', 'in_progress', now) : {}) as ColumnSet,
    }));
    await applyChanges(client, now, changes, { threadChanged: true });
    // A message that opens a ticket is its ticket.created (submit-writer.ts); these join a thread.
    await queueWebhookEvents(
      client,
      now,
      appends.map((a) => ({ type: 'message.created' as const, ticketId: a.ticket.id, messageId: a.id })),
    );
    for (const a of appends) {
      results[a.n] = {
        outcome: a.ticket.status === 'resolved' ? 'reopened' : 'appended',
        ticketId: a.ticket.id,
        ticketNumber: a.ticket.ticket_number,
        messageId: a.id,
      };
    }
  }

  if (opens.length) {
    const created = await writeSubmissionsIn(
      ctx,
      client,
      opens.map(({ n, ticket }) => submissionOf(items[n]!.input, items[n]!.meta, ticket)),
    );
    const fromMail = opens.flatMap(({ n }, k) => {
      const mailId = items[n]!.input.inboundMailId;
      return mailId ? [{ mailId, ticketId: created[k]!.id }] : [];
    });
    if (fromMail.length) {
      // The mail that opened the ticket: its Message-ID starts the customer's thread (mail.service).
      await client.query(
        `UPDATE inbound_mails i SET ticket_id = u.ticket_id, outcome = 'new_ticket'
         FROM unnest($1::uuid[], $2::uuid[]) AS u(id, ticket_id) WHERE i.id = u.id`,
        [fromMail.map((m) => m.mailId), fromMail.map((m) => m.ticketId)],
      );
    }
    opens.forEach(({ n, ticket }, k) => {
      results[n] = {
        outcome: ticket ? 'follow_up' : 'new_ticket',
        ticketId: created[k]!.id,
        ticketNumber: created[k]!.ticketNumber,
        messageId: null,
      };
    });
  }
  return results as CustomerMessageResult[];
}

/** The submission a message becomes when it opens a ticket (a follow-up of `previous` when given). */
function submissionOf(input: CustomerMessageInput, meta: CustomerMeta, previous: LockedTicket | undefined) {
  const body = text(input.bodyText).trim() || '(no text)';
  return {
    input: {
      name: line(input.fromName, 255) || input.fromEmail.split('@')[0]!,
      email: input.fromEmail,
      subject: line(input.subject, 255) || '(no subject)',
      message:
        body.length > MAX_MESSAGE
          ? `${body.slice(0, MAX_MESSAGE - 60)}\n\n[…] (shortened; the full mail is kept)`
          : body,
      category: 'general' as const,
    },
    meta: {
      actor: null,
      ip: null,
      userAgent: null,
      source: meta.source,
      requestId: meta.requestId,
      channel: 'email' as const,
      parentTicketId: previous?.id ?? null,
      confirmation: input.confirmation ?? true,
    },
  };
}

function assertDistinct(values: ReadonlyArray<string | null>): void {
  const present = values.filter((v): v is string => v !== null);
  if (new Set(present).size !== present.length) {
    throw new Error(
      'addCustomerMessagesIn: two messages for one ticket or with one Message-ID; add the second afterwards',
    );
  }
}

/** Earlier messages with these Message-IDs (a re-delivered mail), by Message-ID. */
async function findByMessageIds(
  client: pg.ClientBase,
  messageIds: string[],
): Promise<Map<string, Omit<CustomerMessageResult, 'outcome'>>> {
  if (!messageIds.length) return new Map();
  const { rows } = await client.query<{
    key: string;
    ticket_id: string;
    ticket_number: string;
    message_id: string | null;
  }>(
    `SELECT DISTINCT ON (key) key, ticket_id, ticket_number, message_id FROM (
       SELECT m.message_id AS key, m.ticket_id, t.ticket_number, m.id AS message_id, 0 AS pref FROM ticket_messages m
         JOIN contact_submissions t ON t.id = m.ticket_id WHERE m.message_id = ANY($1::text[])
       UNION ALL
       SELECT i.message_id, i.ticket_id, t.ticket_number, NULL, 1 FROM inbound_mails i
         JOIN contact_submissions t ON t.id = i.ticket_id WHERE i.message_id = ANY($1::text[]) AND i.outcome = 'new_ticket'
     ) x ORDER BY key, pref`,
    [messageIds],
  );
  return new Map(
    rows.map((r) => [r.key, { ticketId: r.ticket_id, ticketNumber: r.ticket_number, messageId: r.message_id }]),
  );
}

// Delivering one queued email (one EmailDelivery row) — the part of a mail job that must not repeat.
//
// Guarantee. The delivery row is the source of truth: once it says `sent`, no job (retried,
// duplicated, or run by another worker after a crash) sends that message again. The row is marked
// `sent` in its own short transaction right after the SMTP server accepts the message, before the
// job is reported complete; a worker that dies after that point leaves a job that, when it runs
// again, finds `sent` and finishes without sending (tested by killing a real worker process).
//
// The one window no design can close without the SMTP server's help is between the server's
// "250 accepted" and our commit of `sent` (a crash, or the database going away, in those few
// milliseconds). A retry then sends the message again: delivery is at-least-once inside that window
// and exactly-once everywhere else. Every attempt uses the same Message-ID (derived from the
// delivery id), so a repeated copy is recognisable as the same message.
import type { AppContext } from '../context.js';
import { portalMailParts } from '../portal/portal.mail.js';
import { slaMailParts } from '../sla/sla.mail.js';
import { replyAttachments } from './mail-attachments.js';
import { buildMessage, UnsendableMailError, type MailTicket } from './mail.message.js';
import type { EmailKind } from './mail.queue.js';
import type { MailTransport } from './transport.js';

export interface DeliveryAttempt {
  /** This job attempt (1-based) and the job's limit: the last attempt marks the row `failed`. */
  attempt: number;
  maxAttempts: number;
}

export interface DeliveryHooks {
  /**
   * Called after the row is marked `sent`, before the job completes. Production passes nothing;
   * the crash test uses it to hold a real worker process at exactly that point and kill it.
   */
  afterSent?: (deliveryId: string) => Promise<void>;
}

export type DeliveryOutcome = 'sent' | 'already_sent' | 'ticket_deleted' | 'unsendable' | 'missing';

export interface MailDeps {
  transport: MailTransport;
  hooks?: DeliveryHooks;
}

const MAX_ERROR_LENGTH = 2_000;
// Marking a sent mail `sent` is retried for about 45 s (0.5, 1, 2, 4, 8, then 10 s apart): long
// enough to outlast a PostgreSQL restart, which would otherwise send every in-flight mail twice.
const RECORD_SENT_ATTEMPTS = 9;
const RECORD_SENT_MAX_DELAY_MS = 10_000;

interface LockedDelivery {
  id: string;
  ticket_id: string | null;
  ticket_number: string;
  kind: EmailKind;
  recipient: string;
  status: 'queued' | 'sent' | 'failed';
  message?: { body: string; authorName: string } | null;
  /** A webhook_disabled mail: the endpoint it is about. */
  webhook?: { url: string; reason: string; disabledAt: Date | null } | null;
}

/**
 * Mails that open a thread (nothing came before them); every other kind continues it. The one
 * exception is the confirmation of a ticket opened BY EMAIL: it answers the customer's mail, so it
 * names that mail's Message-ID (the claim reads it) and their client shows one conversation.
 */
const THREAD_OPENERS: readonly EmailKind[] = [
  'contact_confirmation',
  'contact_admin_notification',
  // Not part of a conversation: the links list (about an address) and a staff alert.
  'ticket_links',
  'rating_bad_alert',
  'webhook_disabled',
  'sla_warning',
  'sla_breach',
  'moderator_digest',
];

/** Outcomes of the inbound mail that opened a ticket (a new one, or a follow-up of a closed one). */
const OPENED_BY_MAIL = `('new_ticket', 'follow_up')`;

/**
 * The Message-IDs of the customer's thread so far, oldest first: the mail that opened the ticket,
 * what we sent them and what they wrote. (Admin alerts are not part of the customer's thread.)
 */
async function threadReferences(ctx: AppContext, ticketId: string, deliveryId: string): Promise<string[]> {
  const { rows } = await ctx.db.pool.query<{ mid: string }>(
    `SELECT mid FROM (
       SELECT message_id AS mid, received_at AS at FROM inbound_mails WHERE ticket_id = $1 AND outcome IN ${OPENED_BY_MAIL}
       UNION ALL
       SELECT message_id, sent_at FROM email_deliveries
       WHERE ticket_id = $1 AND status = 'sent' AND id <> $2
         AND kind NOT IN ('contact_admin_notification', 'ticket_links', 'rating_bad_alert')
       UNION ALL
       SELECT message_id, created_at FROM ticket_messages WHERE ticket_id = $1 AND kind = 'customer'
     ) x WHERE mid IS NOT NULL ORDER BY at`,
    [ticketId, deliveryId],
  );
  return [...new Set(rows.map((r) => r.mid))];
}

type Claim =
  | { outcome: 'send'; delivery: LockedDelivery; ticket: MailTicket; openedBy?: string | null }
  | { outcome: Exclude<DeliveryOutcome, 'sent'> };

/**
 * Locks the row, skips what is done, records the attempt and loads the ticket. Raw pg rather than
 * Prisma: the worker is CPU-bound and a Prisma interactive transaction cost ~5x the CPU of this
 * one (measured with bench/email.ts).
 */
async function claim(ctx: AppContext, deliveryId: string): Promise<Claim> {
  // One statement (one round trip): lock the row, then either count the attempt or — when the
  // ticket is gone — mark it failed. email_deliveries is not audited, so no audit context is needed.
  // Named: prepared once per connection, so PostgreSQL does not parse and plan this CTE for every mail.
  const { rows } = await ctx.db.pool.query<ClaimRow>({
    name: 'mail-claim',
    text: `WITH d AS (
       SELECT d.id, d.ticket_id, d.ticket_number, d.kind::text AS kind, d.recipient, d.status::text AS status,
         t.id AS t_id, t.ticket_number AS t_number, t.name, t.email, t.subject, t.message, t.category, t.resolution_notes, t.language::text AS language,
         m.body_text AS m_body, m.author_name AS m_author,
         CASE WHEN d.kind = 'contact_confirmation' THEN (
           SELECT i.message_id FROM inbound_mails i WHERE i.ticket_id = t.id AND i.outcome IN ${OPENED_BY_MAIL}
             AND i.message_id IS NOT NULL ORDER BY i.received_at LIMIT 1
         ) END AS opened_by,
         w.url AS w_url, w.disabled_reason AS w_reason, w.disabled_at AS w_disabled_at,
         -- What the mail is about is gone: its ticket, or for a webhook mail its endpoint.
         CASE WHEN d.kind = 'webhook_disabled' THEN w.id IS NULL ELSE t.id IS NULL END AS gone
       FROM email_deliveries d LEFT JOIN contact_submissions t ON t.id = d.ticket_id
       LEFT JOIN ticket_messages m ON m.id = d.ticket_message_id
       LEFT JOIN webhook_endpoints w ON w.id = d.webhook_endpoint_id
       WHERE d.id = $1::uuid FOR UPDATE OF d
     ), updated AS (
       UPDATE email_deliveries e SET updated_at = now(),
         attempts = CASE WHEN d.gone THEN e.attempts ELSE e.attempts + 1 END,
         status = CASE WHEN d.gone THEN 'failed'::"EmailStatus" ELSE e.status END,
         last_error = CASE WHEN d.gone
           THEN CASE WHEN d.kind = 'webhook_disabled' THEN 'the webhook endpoint was deleted before this email could be sent; not sending'
             ELSE 'ticket ' || d.ticket_number || ' was deleted before this email could be sent; not sending' END
           ELSE e.last_error END
       FROM d WHERE e.id = d.id AND d.status <> 'sent'
       RETURNING e.id
     )
     SELECT d.*, (SELECT count(*) FROM updated)::int AS updated FROM d`,
    values: [deliveryId],
  });
  const row = rows[0];
  if (!row) return { outcome: 'missing' };
  if (row.status === 'sent') return { outcome: 'already_sent' };
  if (row.gone) return { outcome: 'ticket_deleted' };
  const { id, ticket_id, ticket_number, kind, recipient, status } = row;
  if (kind === 'webhook_disabled') {
    // About an endpoint, not a ticket: the message reads the endpoint; the ticket part is empty.
    const webhook = { url: row.w_url!, reason: row.w_reason ?? '', disabledAt: row.w_disabled_at };
    const none = {
      id,
      ticketNumber: '',
      name: '',
      email: '',
      subject: '',
      message: '',
      category: '',
      resolutionNotes: '',
    };
    return {
      outcome: 'send',
      delivery: { id, ticket_id, ticket_number, kind, recipient, status, webhook },
      ticket: none,
    };
  }
  return {
    outcome: 'send',
    openedBy: row.opened_by,
    delivery: {
      id,
      ticket_id,
      ticket_number,
      kind,
      recipient,
      status,
      message: kind === 'ticket_reply' ? { body: row.m_body ?? '', authorName: row.m_author ?? '' } : null,
    },
    ticket: {
      id: row.t_id!,
      ticketNumber: row.t_number!,
      name: row.name!,
      email: row.email!,
      subject: row.subject!,
      message: row.message!,
      category: row.category!,
      resolutionNotes: row.resolution_notes!,
      language: row.language ?? 'en',
    },
  };
}

type ClaimRow = LockedDelivery & {
  t_id: string | null;
  t_number: string | null;
  name: string | null;
  email: string | null;
  subject: string | null;
  message: string | null;
  category: MailTicket['category'] | null;
  resolution_notes: string | null;
  language: string | null;
  m_body: string | null;
  m_author: string | null;
  /** A confirmation's ticket opened by email: that mail's Message-ID. */
  opened_by: string | null;
  w_url: string | null;
  w_reason: string | null;
  w_disabled_at: Date | null;
  gone: boolean;
};

/**
 * Sends the email of one delivery row unless it was already sent. Throws on a send failure (after
 * recording it) so the job queue retries with back-off; on the last attempt the row becomes `failed`.
 */
export async function deliverEmail(
  ctx: AppContext,
  deps: MailDeps,
  deliveryId: string,
  attempt: DeliveryAttempt,
): Promise<DeliveryOutcome> {
  const log = ctx.logger.child({ deliveryId });
  const claimed = await claim(ctx, deliveryId);
  if (claimed.outcome !== 'send') {
    if (claimed.outcome === 'ticket_deleted')
      log.warn('ticket deleted before its email was sent; delivery marked failed');
    else log.debug({ outcome: claimed.outcome }, 'nothing to send');
    return claimed.outcome;
  }
  const { delivery, ticket } = claimed;
  let result;
  try {
    const references = THREAD_OPENERS.includes(delivery.kind)
      ? claimed.openedBy
        ? [claimed.openedBy]
        : []
      : await threadReferences(ctx, ticket.id, delivery.id);
    // The customer's page link (and the rating links, the links list): made here, the same on a retry.
    const portal = await portalMailParts(ctx, delivery, ticket.id);
    // An SLA alert's clock and due time, a digest's lists: read now, so they are current.
    const sla = await slaMailParts(ctx, delivery, ticket.id);
    const message = buildMessage(ticket, { ...delivery, ...portal, ...sla }, ctx.config, { references });
    message.attachments = await replyAttachments(ctx, delivery); // a public reply's files (mail-attachments.ts)
    result = await deps.transport.send(message, {
      fileStem: `${ticket.ticketNumber}.${delivery.kind}.${delivery.id}`,
      logger: log,
    });
  } catch (err) {
    // A message that cannot be built (no usable recipient) fails now: retrying would not change it.
    const final = err instanceof UnsendableMailError || attempt.attempt >= attempt.maxAttempts;
    const reason = ((err as Error)?.message ?? String(err)).slice(0, MAX_ERROR_LENGTH);
    await ctx.db.pool.query(
      `UPDATE email_deliveries SET last_error = $2, status = CASE WHEN $3 THEN 'failed'::"EmailStatus" ELSE status END,
         updated_at = now() WHERE id = $1`,
      [deliveryId, reason, final],
    );
    log.warn({ err, attempt: attempt.attempt, maxAttempts: attempt.maxAttempts, final }, 'email not sent');
    if (err instanceof UnsendableMailError) return 'unsendable';
    throw err;
  }
  // Immediately after the server's accept: from here on, no retry sends this message again.
  await recordSent(ctx, deliveryId, result.messageId);
  log.info({ kind: delivery.kind, messageId: result.messageId, via: deps.transport.kind }, 'email sent');
  await deps.hooks?.afterSent?.(deliveryId);
  return 'sent';
}

/**
 * Marks the row `sent`. A brief database hiccup here would otherwise turn into a duplicate email
 * (the job fails and is retried), so the write itself is retried for up to ~45 s first.
 */
async function recordSent(ctx: AppContext, deliveryId: string, messageId: string): Promise<void> {
  const sentAt = ctx.clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      // One statement on tables that are not audited: atomic without a transaction block.
      // A reply's thread message keeps the Message-ID it went out with (inbound matching reads it).
      await ctx.db.pool.query({
        name: 'mail-record-sent',
        text: `WITH d AS (
           UPDATE email_deliveries SET status = 'sent', message_id = $2, sent_at = $3, last_error = NULL, updated_at = now()
           WHERE id = $1 RETURNING ticket_message_id
         )
         UPDATE ticket_messages m SET message_id = $2 FROM d
         WHERE m.id = d.ticket_message_id AND m.message_id IS NULL`,
        values: [deliveryId, messageId, sentAt],
      });
      return;
    } catch (err) {
      if (attempt >= RECORD_SENT_ATTEMPTS) throw err;
      ctx.logger.warn({ err, deliveryId, attempt }, 'could not record a sent email yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, RECORD_SENT_MAX_DELAY_MS)));
    }
  }
}

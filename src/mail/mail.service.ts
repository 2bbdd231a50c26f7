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
import { customerLinkRecord } from '../portal/customer-links.js';
import { CUSTOMER_KINDS, portalMailParts } from '../portal/portal.mail.js';
import { slaMailParts } from '../sla/sla.mail.js';
import { claimDelivery, OPENED_BY_MAIL, recordSentRow } from './delivery-store.js';
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
  | {
      outcome: 'send';
      delivery: LockedDelivery;
      ticket: MailTicket;
      openedBy?: string | null;
      /** The customer-page link, made by the claim itself. */
      portal?: { page: string; rateGood: string; rateBad: string } | null;
    }
  | { outcome: Exclude<DeliveryOutcome, 'sent'> };

/** What the job knows before the claim (its task and payload), so the claim can do more at once. */
export interface DeliveryHint {
  kind: EmailKind;
  /** The ticket the job's payload names (jobs queued before it did name none). */
  ticketId?: string;
}

/**
 * Locks the row, skips what is done, records the attempt, loads the ticket and — for a customer
 * mail whose job names its ticket — makes the customer-page link, all in one statement shared
 * with the jobs claiming at the same moment (delivery-store.ts). Raw pg rather than Prisma: the
 * worker is CPU-bound and a Prisma interactive transaction cost ~5x the CPU of this one.
 */
async function claim(ctx: AppContext, deliveryId: string, hint?: DeliveryHint): Promise<Claim> {
  const link =
    hint?.ticketId && CUSTOMER_KINDS.includes(hint.kind) ? customerLinkRecord(ctx, deliveryId, hint.ticketId) : null;
  const row = await claimDelivery(ctx.db.pool, { deliveryId, link });
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
    portal: row.link_made && link ? link.urls : null,
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

/**
 * Sends the email of one delivery row unless it was already sent. Throws on a send failure (after
 * recording it) so the job queue retries with back-off; on the last attempt the row becomes `failed`.
 */
export async function deliverEmail(
  ctx: AppContext,
  deps: MailDeps,
  deliveryId: string,
  attempt: DeliveryAttempt,
  hint?: DeliveryHint,
): Promise<DeliveryOutcome> {
  const log = ctx.logger.child({ deliveryId });
  const claimed = await claim(ctx, deliveryId, hint);
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
    // The customer's page link (and the rating links, the links list): made here (or by the
    // claim), the same on a retry.
    const portal = claimed.portal ? { portal: claimed.portal } : await portalMailParts(ctx, delivery, ticket.id);
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
      // Shared with the other jobs recording at this moment (delivery-store.ts).
      await recordSentRow(ctx.db.pool, { deliveryId, messageId, sentAt });
      return;
    } catch (err) {
      if (attempt >= RECORD_SENT_ATTEMPTS) throw err;
      ctx.logger.warn({ err, deliveryId, attempt }, 'could not record a sent email yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, RECORD_SENT_MAX_DELAY_MS)));
    }
  }
}

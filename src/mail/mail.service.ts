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
import { inTransaction } from '../db/tx.js';
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

const WORKER = { actorId: null, source: 'worker' } as const;
const MAX_ERROR_LENGTH = 2_000;
const RECORD_SENT_ATTEMPTS = 5;

interface LockedDelivery {
  id: string;
  ticket_id: string | null;
  ticket_number: string;
  kind: EmailKind;
  recipient: string;
  status: 'queued' | 'sent' | 'failed';
}

type Claim =
  { outcome: 'send'; delivery: LockedDelivery; ticket: MailTicket } | { outcome: Exclude<DeliveryOutcome, 'sent'> };

/** Locks the row, skips what is done, records the attempt and loads the ticket. */
async function claim(ctx: AppContext, deliveryId: string): Promise<Claim> {
  return inTransaction(ctx.db, WORKER, async (tx) => {
    const rows = await tx.$queryRaw<LockedDelivery[]>`
      SELECT id, ticket_id, ticket_number, kind::text AS kind, recipient, status::text AS status
      FROM email_deliveries WHERE id = ${deliveryId}::uuid FOR UPDATE`;
    const delivery = rows[0];
    if (!delivery) return { outcome: 'missing' };
    if (delivery.status === 'sent') return { outcome: 'already_sent' };
    const ticket = delivery.ticket_id
      ? await tx.contactSubmission.findUnique({ where: { id: delivery.ticket_id } })
      : null;
    if (!ticket) {
      await tx.emailDelivery.update({
        where: { id: deliveryId },
        data: {
          status: 'failed',
          lastError: `ticket ${delivery.ticket_number} was deleted before this email could be sent; not sending`,
        },
      });
      return { outcome: 'ticket_deleted' };
    }
    await tx.emailDelivery.update({ where: { id: deliveryId }, data: { attempts: { increment: 1 } } });
    return {
      outcome: 'send',
      delivery,
      ticket: {
        id: ticket.id,
        ticketNumber: ticket.ticketNumber,
        name: ticket.name,
        email: ticket.email,
        subject: ticket.subject,
        message: ticket.message,
        category: ticket.category,
        resolutionNotes: ticket.resolutionNotes,
      },
    };
  });
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
    const message = buildMessage(ticket, delivery, ctx.config);
    result = await deps.transport.send(message, {
      fileStem: `${ticket.ticketNumber}.${delivery.kind}.${delivery.id}`,
      logger: log,
    });
  } catch (err) {
    // A message that cannot be built (no usable recipient) fails now: retrying would not change it.
    const final = err instanceof UnsendableMailError || attempt.attempt >= attempt.maxAttempts;
    const reason = ((err as Error)?.message ?? String(err)).slice(0, MAX_ERROR_LENGTH);
    await inTransaction(ctx.db, WORKER, (tx) =>
      tx.emailDelivery.update({
        where: { id: deliveryId },
        data: { lastError: reason, ...(final ? { status: 'failed' as const } : {}) },
      }),
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
 * (the job fails and is retried), so the write itself is retried for a few seconds first.
 */
async function recordSent(ctx: AppContext, deliveryId: string, messageId: string): Promise<void> {
  const sentAt = ctx.clock.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await inTransaction(ctx.db, WORKER, (tx) =>
        tx.emailDelivery.update({
          where: { id: deliveryId },
          data: { status: 'sent', messageId, sentAt, lastError: null },
        }),
      );
      return;
    } catch (err) {
      if (attempt >= RECORD_SENT_ATTEMPTS) throw err;
      ctx.logger.warn({ err, deliveryId, attempt }, 'could not record a sent email yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

// Turns one stored inbound mail into what it means: a message on its ticket, a new ticket, a
// failed delivery (bounce), or nothing (a duplicate, our own mail coming back). Run by the
// `inbound_process` job; idempotent: only a mail in status `received` is processed, and the
// outcome is recorded in the same transaction as the message it created.
//
// Failure handling: a mail that cannot be processed (a deterministic error) is marked `failed`
// with the error and the job ends: an admin sees it and retries (inbound.service.ts). Transient
// errors (a lost connection, a deadlock) are left to graphile's retries, the mail staying
// `received`; on the job's last attempt they too are recorded as failed.
import { simpleParser, type ParsedMail } from 'mailparser';
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { inPgTransaction } from '../db/tx.js';
import { looksLikeOurMessageId } from '../conversation/mail-signing.js';
import {
  addCustomerMessageIn,
  type CustomerMessageInput,
  type CustomerMessageResult,
  type CustomerMeta,
} from '../conversation/customer-message.js';
import { mailFilesOf, storeMailFiles } from '../attachments/mail-files.js';
import { isPlainAddress, parseMailFrom } from '../mail/mail.message.js';
import { extractBody } from './inbound.body.js';
import { readBounce, recordBounce } from './inbound.bounce.js';
import { readFacts, type MailFacts } from './inbound.headers.js';
import { matchTicket, type MatchedBy } from './inbound.match.js';

export type InboundOutcome =
  'appended' | 'reopened' | 'new_ticket' | 'follow_up' | 'duplicate' | 'auto_reply' | 'bounce' | 'loop' | 'no_sender';

export interface ProcessResult {
  /** `skipped`: the mail was not in status received (already processed, or unknown id). */
  status: 'processed' | 'ignored' | 'failed' | 'skipped';
  error?: string;
  outcome?: InboundOutcome;
  ticketId?: string | null;
  matchedBy?: MatchedBy | null;
}

/** At most this many confirmations to one address per hour (mail loops, floods). */
export const AUTO_REPLY_LIMIT_PER_HOUR = 5;
const MAX_ERROR = 2_000;
export const CLOSED = ['resolved', 'archived'];
/** Locks a dedupe key (the Message-ID, or `sha256:<hash>` without one) until the transaction ends. */
const dedupeLock = (keySql: string) => `pg_advisory_xact_lock(hashtextextended('inbound:' || ${keySql}, 0))`;

export interface Claimed {
  raw: Buffer;
  envelope_from: string | null;
  envelope_to: string[];
  message_id: string | null;
  sha256: string;
}

/**
 * Claims the mail for this transaction: its row lock (two runs of one job wait for each other)
 * and the dedupe lock on the stored Message-ID, in the claim itself: one round trip less per
 * mail (measured with bench/inbound.ts). Null when it is not (any more) in status received.
 */
export async function claimMail(client: pg.ClientBase, id: string): Promise<Claimed | null> {
  const { rows } = await client.query<Claimed>(
    `UPDATE inbound_mails SET attempts = attempts + 1 WHERE id = $1 AND status = 'received'
     RETURNING raw, envelope_from, envelope_to, message_id, sha256,
       ${dedupeLock(`COALESCE(message_id, 'sha256:' || sha256)`)}::text AS locked`,
    [id],
  );
  return rows[0] ?? null;
}

/** mailparser, as every inbound mail is parsed (once: the batch parses before it decides). */
export const parseMail = (raw: Buffer) => simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });

/**
 * Failures that another attempt may not meet: a lost connection (recording the error would fail
 * too), a deadlock or serialization failure, the server shutting down or out of resources.
 */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(08|40001|40P01|53|57P)/.test(code)) return true;
  return /Connection terminated|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect/i.test(
    String((err as Error)?.message ?? ''),
  );
}

export interface ProcessOptions {
  /** The job's last attempt: a transient error, too, is then recorded as failed (for an admin). */
  finalAttempt?: boolean;
}

export async function processInboundMail(
  ctx: AppContext,
  id: string,
  opts: ProcessOptions = {},
): Promise<ProcessResult> {
  try {
    // One transaction from claim to outcome: the row lock also keeps two runs of one job apart.
    return await inPgTransaction(ctx.db, { actorId: null, source: 'worker' }, async (client) => {
      // The claim also takes the dedupe lock (below) on the stored Message-ID: one round trip less
      // per mail (measured with bench/inbound.ts).
      const claimed = await claimMail(client, id);
      return claimed ? processClaimed(ctx, client, id, claimed) : { status: 'skipped' as const };
    });
  } catch (err) {
    return recordFailure(ctx, id, err, opts);
  }
}

/**
 * After the processing transaction of `id` rolled back with `err`: a deterministic error marks the
 * mail failed (returned); a transient one counts the attempt and is rethrown for graphile's retry.
 */
export async function recordFailure(
  ctx: AppContext,
  id: string,
  err: unknown,
  opts: ProcessOptions = {},
): Promise<ProcessResult> {
  // The transaction rolled back, its attempt count with it: count the attempt here.
  const message = ((err as Error)?.stack ?? String(err)).slice(0, MAX_ERROR);
  if (isTransient(err) && !opts.finalAttempt) {
    await ctx.db.pool
      .query(`UPDATE inbound_mails SET attempts = attempts + 1, error = $2 WHERE id = $1 AND status = 'received'`, [
        id,
        message,
      ])
      .catch(() => {});
    throw err;
  }
  await ctx.db.pool.query(
    `UPDATE inbound_mails SET status = 'failed', attempts = attempts + 1, error = $2, processed_at = $3
     WHERE id = $1 AND status = 'received'`,
    [id, message, ctx.clock.now()],
  );
  ctx.logger.warn({ err, inboundMailId: id }, 'inbound mail could not be processed; marked failed');
  return { status: 'failed', error: message };
}

/**
 * What a mail is before any ticket is looked at, in this order: our own mail coming back (a
 * forwarding loop, a misconfigured relay: never a message), a bounce, a mail without a usable
 * sender; null noise: a customer's mail from `from`.
 */
export function screenMail(
  ctx: Pick<AppContext, 'config'>,
  facts: MailFacts,
): { from: string | null; noise: 'loop' | 'bounce' | 'no_sender' | null } {
  const ourAddresses = [ctx.config.INBOUND_ADDRESS, parseMailFrom(ctx.config.MAIL_FROM).address]
    .filter((a): a is string => Boolean(a))
    .map((a) => a.toLowerCase());
  const from = facts.from?.address.toLowerCase() ?? null;
  if ((facts.messageId && looksLikeOurMessageId(facts.messageId)) || (from && ourAddresses.includes(from))) {
    return { from, noise: 'loop' };
  }
  if (facts.bounce) return { from, noise: 'bounce' };
  if (!from || !isPlainAddress(from) || from.length > 254) return { from, noise: 'no_sender' };
  return { from, noise: null };
}

/** Processes a claimed mail inside the claiming transaction (`parsed`: when the caller parsed it already). */
export async function processClaimed(
  ctx: AppContext,
  client: pg.PoolClient,
  id: string,
  mail: Claimed,
  parsed?: ParsedMail,
  /** The claim only locked the row (a batch): the attempt is counted with the outcome. */
  countAttempt = false,
): Promise<ProcessResult> {
  parsed ??= await parseMail(mail.raw);
  const facts = readFacts(parsed, { from: mail.envelope_from, to: mail.envelope_to, messageId: mail.message_id });
  const now = ctx.clock.now();
  const record = async (
    status: 'processed' | 'ignored',
    outcome: InboundOutcome,
    ticketId: string | null,
    ticketMessageId: string | null,
    matchedBy: MatchedBy | null = null,
  ): Promise<ProcessResult> => {
    await client.query(
      `UPDATE inbound_mails SET status = $2, outcome = $3, ticket_id = $4, ticket_message_id = $5,
         processed_at = $6, error = NULL, attempts = attempts + $7 WHERE id = $1`,
      [id, status, outcome, ticketId, ticketMessageId, now, countAttempt ? 1 : 0],
    );
    ctx.logger.info({ inboundMailId: id, outcome, ticketId, matchedBy }, 'inbound mail processed');
    return { status, outcome, ticketId, matchedBy };
  };

  // The same mail over two channels, or fetched twice: copies are processed one at a time
  // (the lock), and every copy after the first is a duplicate of it.
  const dedupeKey = facts.messageId ?? `sha256:${mail.sha256}`;
  // The claim locked the stored Message-ID (or the hash); only a Message-ID that the header scan
  // at storing missed and mailparser found needs its own lock.
  if (dedupeKey !== (mail.message_id ?? `sha256:${mail.sha256}`)) {
    await client.query(`SELECT ${dedupeLock('$1')}`, [dedupeKey]);
  }
  const { rows: copies } = await client.query<{ ticket_id: string | null }>(
    `SELECT ticket_id FROM inbound_mails WHERE id <> $1 AND status IN ('processed', 'ignored')
       AND (CASE WHEN $2::text IS NULL THEN sha256 = $3 ELSE message_id = $2 END)
     ORDER BY received_at LIMIT 1`,
    [id, facts.messageId, mail.sha256],
  );
  if (copies[0]) return record('ignored', 'duplicate', copies[0].ticket_id, null);

  const { from, noise } = screenMail(ctx, facts);
  if (noise === 'loop') return record('ignored', 'loop', null, null);
  if (noise === 'bounce') {
    const bounced = await recordBounce(client, readBounce(parsed, ctx.config), now);
    return record('ignored', 'bounce', bounced.ticketId, null);
  }
  if (noise === 'no_sender' || !from) return record('ignored', 'no_sender', null, null);

  const match = await matchTicket(client, ctx.config, facts, id, now);
  const ticket = match ?? undefined;
  // Out-of-office answers join an open conversation (the moderator learns the customer is away)
  // but never reopen a closed ticket, open a new one, or cause any mail.
  if (facts.autoReply && (!ticket || CLOSED.includes(ticket.status))) {
    return record('ignored', 'auto_reply', match?.ticketId ?? null, null, match?.by ?? null);
  }
  const opensTicket = !ticket || CLOSED.includes(ticket.status);
  const confirmation = !facts.automated && !(opensTicket && (await overAutoReplyLimit(client, from, now)));
  const result = await addCustomerMessageIn(
    ctx,
    client,
    customerInput(id, mail, parsed, facts, from, match?.ticketId ?? null, confirmation),
    customerMeta(id),
  );
  await storeFilesOf(ctx, client, parsed, result);
  const settled = settle(facts, result);
  return record(settled.status, settled.outcome, result.ticketId, settled.ticketMessageId, match?.by ?? null);
}

/** The customer message a mail becomes (quoted history and signature cut, HTML sanitised). */
export function customerInput(
  id: string,
  mail: Pick<Claimed, 'raw'>,
  parsed: ParsedMail,
  facts: MailFacts,
  from: string,
  ticketId: string | null,
  confirmation: boolean,
): CustomerMessageInput {
  const body = extractBody(parsed, mail.raw);
  return {
    ticketId,
    fromEmail: from,
    fromName: facts.from?.name ?? '',
    subject: facts.subject,
    bodyText: body.text,
    bodyHtml: body.html,
    messageId: facts.messageId,
    inboundMailId: id,
    channel: 'email',
    confirmation,
  };
}

export const customerMeta = (id: string): CustomerMeta => ({ source: 'worker', requestId: `inbound:${id}` });

/** Every attachment and inline image goes with the message; what the limits refuse is listed on it. */
export async function storeFilesOf(
  ctx: AppContext,
  client: pg.PoolClient,
  parsed: ParsedMail,
  result: CustomerMessageResult,
): Promise<void> {
  if (result.outcome === 'duplicate') return;
  await storeMailFiles(
    ctx,
    client,
    { ticketId: result.ticketId, ticketMessageId: result.messageId },
    mailFilesOf(parsed),
  );
}

/** How the mail's row records a customer message's result. */
export function settle(
  facts: MailFacts,
  result: CustomerMessageResult,
): { status: 'processed' | 'ignored'; outcome: InboundOutcome; ticketMessageId: string | null } {
  const duplicate = result.outcome === 'duplicate';
  return {
    status: duplicate ? 'ignored' : 'processed',
    outcome: facts.autoReply && result.outcome === 'appended' ? 'auto_reply' : result.outcome,
    ticketMessageId: duplicate ? null : result.messageId,
  };
}

/** Whether `address` already got AUTO_REPLY_LIMIT_PER_HOUR confirmations in the last hour. */
async function overAutoReplyLimit(
  client: { query: (sql: string, params: unknown[]) => Promise<{ rows: Array<{ n: number }> }> },
  address: string,
  now: Date,
): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM email_deliveries WHERE kind = 'contact_confirmation'
       AND lower(recipient) = $1 AND created_at > $2::timestamptz - interval '1 hour'`,
    [address, now],
  );
  return rows[0]!.n >= AUTO_REPLY_LIMIT_PER_HOUR;
}

export type { MailFacts };

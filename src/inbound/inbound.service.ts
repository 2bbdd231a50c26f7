// Admin use cases over stored inbound mail: list it (failed ones first of all: nothing is lost
// silently; REST pages by keyset, the panel by offset) and retry one, which puts its processing
// job back in the queue.
import { requireAdmin } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { withPgTransaction } from '../db/tx.js';
import { AppError, notFound } from '../errors.js';
import { assertUuid } from '../shared/ids.js';
import { parseInput } from '../shared/input.js';
import { inboundListQuerySchema, type INBOUND_STATUSES } from './inbound.schema.js';
import { queueInboundJob } from './inbound.store.js';

export type InboundListQuery = Record<string, unknown>;

export interface InboundMailSummary {
  id: string;
  channel: string;
  status: (typeof INBOUND_STATUSES)[number];
  outcome: string | null;
  error: string | null;
  attempts: number;
  messageId: string | null;
  envelopeFrom: string | null;
  size: number;
  ticketId: string | null;
  ticketMessageId: string | null;
  receivedAt: Date;
  processedAt: Date | null;
}

export async function listInboundMails(
  ctx: AppContext,
  actor: Actor | null,
  query: InboundListQuery,
): Promise<{ mails: InboundMailSummary[]; next: string | null }> {
  requireAdmin(actor);
  const q = parseInput(inboundListQuerySchema, query);
  let cursor: [Date, string] | null = null;
  if (q.before) {
    const [at, id] = q.before.split('_');
    if (!at || !id || Number.isNaN(Date.parse(at))) {
      throw new AppError({
        code: 'validation_error',
        status: 400,
        message: 'The request has invalid fields',
        fields: { before: ['invalid cursor'] },
      });
    }
    assertUuid(id, 'before');
    cursor = [new Date(at), id];
  }
  const { rows } = await ctx.db.pool.query<SummaryRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM inbound_mails m
     WHERE ($1::text IS NULL OR status = $1::"InboundStatus")
       AND ($2::timestamptz IS NULL OR (received_at, id) < ($2::timestamptz, $3::uuid))
     ORDER BY received_at DESC, id DESC LIMIT $4`,
    [q.status ?? null, cursor?.[0] ?? null, cursor?.[1] ?? null, q.limit + 1],
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    mails: page.map(toSummary),
    next: rows.length > q.limit && last ? `${last.received_at.toISOString()}_${last.id}` : null,
  };
}

/** A mail as the panel lists it: the summary and its ticket's number. */
export type InboundMailEntry = InboundMailSummary & { ticketNumber: string | null };

type InboundStatus = (typeof INBOUND_STATUSES)[number];

/** The panel's pages (offset, as AdminJS pages), newest first, optionally of one status. */
export async function listInboundMailPage(
  ctx: AppContext,
  actor: Actor | null,
  opts: { status?: InboundStatus; limit: number; offset: number },
): Promise<InboundMailEntry[]> {
  requireAdmin(actor);
  const { rows } = await ctx.db.pool.query<SummaryRow & { ticket_number: string | null }>(
    `SELECT ${SUMMARY_COLUMNS}, t.ticket_number
     FROM inbound_mails m LEFT JOIN contact_submissions t ON t.id = m.ticket_id
     WHERE ($1::text IS NULL OR m.status = $1::"InboundStatus")
     ORDER BY m.received_at DESC, m.id DESC LIMIT $2 OFFSET $3`,
    [opts.status ?? null, opts.limit, opts.offset],
  );
  return rows.map((r) => ({ ...toSummary(r), ticketNumber: r.ticket_number ?? null }));
}

export async function countInboundMails(ctx: AppContext, actor: Actor | null, status?: InboundStatus): Promise<number> {
  requireAdmin(actor);
  const { rows } = await ctx.db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM inbound_mails WHERE ($1::text IS NULL OR status = $1::"InboundStatus")`,
    [status ?? null],
  );
  return rows[0]!.n;
}

export async function getInboundMail(ctx: AppContext, actor: Actor | null, id: string): Promise<InboundMailEntry> {
  requireAdmin(actor);
  assertUuid(id);
  const { rows } = await ctx.db.pool.query<SummaryRow & { ticket_number: string | null }>(
    `SELECT ${SUMMARY_COLUMNS}, t.ticket_number FROM inbound_mails m
     LEFT JOIN contact_submissions t ON t.id = m.ticket_id WHERE m.id = $1`,
    [id],
  );
  if (!rows[0]) throw notFound('Inbound mail');
  return { ...toSummary(rows[0]), ticketNumber: rows[0].ticket_number ?? null };
}

// Never the raw bytes in a list: a page of 25 MB mails would be a page of gigabytes.
const SUMMARY_COLUMNS = `m.id, m.channel, m.status::text AS status, m.outcome, m.error, m.attempts, m.message_id,
  m.envelope_from, m.size, m.ticket_id, m.ticket_message_id, m.received_at, m.processed_at`;

interface SummaryRow {
  id: string;
  channel: string;
  status: InboundMailSummary['status'];
  outcome: string | null;
  error: string | null;
  attempts: number;
  message_id: string | null;
  envelope_from: string | null;
  size: number;
  ticket_id: string | null;
  ticket_message_id: string | null;
  received_at: Date;
  processed_at: Date | null;
}

const toSummary = (r: SummaryRow): InboundMailSummary => ({
  id: r.id,
  channel: r.channel,
  status: r.status,
  outcome: r.outcome,
  error: r.error,
  attempts: r.attempts,
  messageId: r.message_id,
  envelopeFrom: r.envelope_from,
  size: r.size,
  ticketId: r.ticket_id,
  ticketMessageId: r.ticket_message_id,
  receivedAt: r.received_at,
  processedAt: r.processed_at,
});

/**
 * Whether a mail in `status` may be retried: a failed one, or one still `received` (its job gave
 * up while the database was away). Processed and ignored mails are final.
 */
export const isRetryable = (status: string): boolean => status === 'failed' || status === 'received';

/**
 * Puts a failed mail back to `received` and queues its job again (a fresh job under the same key).
 * A mail still `received` (its job gave up while the database was away) may be retried too;
 * processed and ignored mails are final (409): retrying them would only find the duplicate.
 */
export async function retryInboundMail(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
): Promise<{ id: string; status: 'received' }> {
  requireAdmin(actor);
  assertUuid(id);
  return withPgTransaction(ctx.db, async (client) => {
    const { rows } = await client.query<{ status: string }>(
      `SELECT status::text AS status FROM inbound_mails WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!rows[0]) throw notFound('Inbound mail');
    if (!isRetryable(rows[0].status)) {
      throw new AppError({
        code: 'not_retryable',
        status: 409,
        message: `This mail was already ${rows[0].status}; only failed mails can be retried`,
      });
    }
    await client.query(`UPDATE inbound_mails SET status = 'received', processed_at = NULL WHERE id = $1`, [id]);
    // add_job under the same key also revives a job that used up its attempts (it resets them).
    await queueInboundJob(client, id);
    return { id, status: 'received' as const };
  });
}

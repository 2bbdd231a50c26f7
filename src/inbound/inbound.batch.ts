// A run of the inbound job processes its own mails (the group stored together, or one mail an
// admin retried) AND the other stored mails still waiting, in one transaction (up to
// INBOUND_BATCH_SIZE), then the ones that arrive while it works. One mail at a time cost about 17
// round trips (claim, duplicate check, match, lock, insert, updated_at, SLA read and write,
// record, BEGIN / COMMIT, the job's fetch and delete); a batch pays most of them once
// (bench/inbound.ts). A job whose mails were all taken is deleted in the same transaction, so it
// never runs; if that transaction rolls back, it is still there.
//
// Rules kept from one-by-one processing (inbound.process.ts):
// - the job's own mails are claimed with blocking locks, as before; the others only when nobody
//   holds them (SKIP LOCKED, a try of their dedupe lock, their retry job not running elsewhere)
//   and only on their first attempt (a mail that failed before is left to its job's retries);
// - the common case, a reply carrying a ticket's signed reply address to an open ticket, is
//   written for all such mails together (addCustomerMessagesIn); every other mail, and a second
//   mail to the same ticket or with the same dedupe key, goes through processClaimed one by one
//   afterwards, in the same transaction, so it sees what the batch wrote (two copies → one message);
// - if anything fails, the transaction rolls back and each mail is processed again on its own
//   (processInboundMail): a broken mail is recorded as failed alone, the others are processed.
// The inbound jobs run in one graphile queue (inbound.store.ts), one at a time: while a batch
// runs, the next mails wait for it or the next one, and no two batches lock tickets against each
// other (a retry job queued before batches existed may still run beside one: SKIP LOCKED keeps
// them apart).
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import type { ParsedMail } from 'mailparser';
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { inPgTransaction, setWriteContext, type WriteContext } from '../db/tx.js';
import { addCustomerMessagesIn, type CustomerMessageInput } from '../conversation/customer-message.js';
import { ticketFromReplyAddress } from '../conversation/mail-signing.js';
import { readFacts, type MailFacts } from './inbound.headers.js';
import {
  CLOSED,
  customerInput,
  customerMeta,
  parseMail,
  processClaimed,
  processInboundMail,
  recordFailure,
  screenMail,
  settle,
  storeFilesOf,
  type ProcessOptions,
  type ProcessResult,
} from './inbound.process.js';
import { anyWaiting, claimMore, claimOwn, type BatchMail } from './inbound.claim.js';

/** Mails per transaction: enough to pay the fixed round trips once, few enough to hold locks briefly. */
export const INBOUND_BATCH_SIZE = 100;
/** How long one job run goes on taking newly arrived mails, and how it waits for more before it ends. */
const DRAIN_MS = 2_000;
const LINGER_MS = 20;
const LINGER_ROUNDS = 2;
const WORKER: WriteContext = { actorId: null, source: 'worker' };
const dedupeKeyOf = (messageId: string | null, sha256: string) => messageId ?? `sha256:${sha256}`;

interface Read {
  mail: BatchMail;
  parsed: ParsedMail;
  facts: MailFacts;
  /** A fast-path candidate: the ticket of its signed reply address and the message it becomes. */
  fast: { ticketId: string; input: CustomerMessageInput } | null;
}

/**
 * The job: its own mail and what waits with it, then, while mails keep arriving, further batches
 * in the same run (the queue lets one run at a time, and a run that ended would leave the next
 * mails to graphile's next poll). Bounded by DRAIN_MS and the worker's shutdown signal.
 */
export async function runInboundJob(
  ctx: AppContext,
  ids: readonly string[],
  opts: ProcessOptions & { signal?: AbortSignal } = {},
): Promise<ProcessResult> {
  const first = await batch(ctx, ids, opts);
  const until = performance.now() + DRAIN_MS;
  let taken = first.taken;
  let idle = 0;
  while (performance.now() < until && !opts.signal?.aborted && idle <= LINGER_ROUNDS) {
    try {
      if (!taken) {
        idle += 1;
        await sleep(LINGER_MS);
        if (!(await anyWaiting(ctx))) continue;
      } else idle = 0;
      taken = (await batch(ctx, [], {})).taken;
    } catch (err) {
      // The mails keep their own jobs (and retries).
      ctx.logger.warn({ err }, 'inbound batch could not run; the waiting mails keep their jobs');
      break;
    }
  }
  return first.result;
}

/** One batch transaction: the mail `id` and up to batchSize - 1 other waiting mails. */
export async function processInboundBatch(
  ctx: AppContext,
  id: string,
  opts: ProcessOptions = {},
  batchSize = INBOUND_BATCH_SIZE,
): Promise<ProcessResult> {
  return (await batch(ctx, [id], opts, batchSize)).result;
}

/**
 * One transaction: the job's own mails (`ownIds`, claimed waiting for their locks) and others that
 * wait, up to batchSize. The result is the first own mail's.
 */
async function batch(
  ctx: AppContext,
  ownIds: readonly string[],
  opts: ProcessOptions,
  batchSize = INBOUND_BATCH_SIZE,
): Promise<{ result: ProcessResult; taken: number }> {
  const others: string[] = [];
  const first = ownIds[0];
  try {
    return await inPgTransaction(ctx.db, WORKER, async (client) => {
      const own = await claimOwn(client, ownIds);
      const more = batchSize > own.length ? await claimMore(client, ownIds, batchSize - own.length) : [];
      others.push(...more.map((m) => m.id));
      const results = await processMails(ctx, client, [...own, ...more]);
      return { result: (first && results.get(first)) || { status: 'skipped' as const }, taken: more.length };
    });
  } catch (err) {
    // Only one mail of its own: recorded as one-by-one processing records it.
    if (!others.length && ownIds.length <= 1) {
      return { result: first ? await recordFailure(ctx, first, err, opts) : { status: 'skipped' }, taken: 0 };
    }
    // The whole batch rolled back. One by one, each mail's failure is its own: processInboundMail
    // records a deterministic one as failed on that mail and leaves a transient one to the retries
    // (the job's own mails: this job's; the others: their own jobs, restored by the rollback).
    // The batch counts as an attempt: it also keeps the mails out of another run's batch meanwhile.
    const all = [...ownIds, ...others];
    ctx.logger.warn({ err, inboundMailId: first, mails: all.length }, 'inbound batch failed; one by one');
    await ctx.db.pool
      .query(`UPDATE inbound_mails SET attempts = attempts + 1 WHERE id = ANY($1::uuid[]) AND status = 'received'`, [
        all,
      ])
      .catch(() => {});
    let result: ProcessResult = { status: 'skipped' };
    let transient: unknown;
    for (const id of ownIds) {
      await processInboundMail(ctx, id, opts).then(
        (r) => {
          if (id === first) result = r;
        },
        (e: unknown) => (transient ??= e),
      );
    }
    for (const other of others) {
      await processInboundMail(ctx, other).catch((e: unknown) =>
        ctx.logger.warn({ err: e, inboundMailId: other }, 'inbound mail left to its own job'),
      );
    }
    // A transient failure of an own mail: the job fails and graphile retries it (the rest are done).
    if (transient) throw transient;
    return { result, taken: others.length };
  }
}

async function processMails(
  ctx: AppContext,
  client: pg.PoolClient,
  mails: BatchMail[],
): Promise<Map<string, ProcessResult>> {
  const reads: Read[] = [];
  const keys = new Set<string>();
  const tickets = new Set<string>();
  for (const mail of mails) {
    const parsed = await parseMail(mail.raw);
    const facts = readFacts(parsed, { from: mail.envelope_from, to: mail.envelope_to, messageId: mail.message_id });
    const key = dedupeKeyOf(facts.messageId, mail.sha256);
    const { from, noise } = screenMail(ctx, facts);
    const ticketId = ticketFromReplyAddress(ctx.config, facts.recipients);
    // The claim locked the stored key; a key only mailparser found needs processClaimed's own lock.
    const candidate =
      !noise &&
      from &&
      ticketId &&
      key === dedupeKeyOf(mail.message_id, mail.sha256) &&
      !keys.has(key) &&
      !tickets.has(ticketId);
    keys.add(key);
    if (ticketId) tickets.add(ticketId);
    const input = candidate ? customerInput(mail.id, mail, parsed, facts, from!, ticketId!, !facts.automated) : null;
    reads.push({ mail, parsed, facts, fast: input && { ticketId: ticketId!, input } });
    // The receiver shares this thread: let its sessions answer between two mails.
    await setImmediate();
  }
  const open = await openTicketsWithoutCopies(
    client,
    reads.filter((r) => r.fast),
  );
  const fast = reads.filter((r) => r.fast && open.has(r.mail.id));
  const results = new Map<string, ProcessResult>();
  let contextChanged = false;

  if (fast.length) {
    const added = await addCustomerMessagesIn(
      ctx,
      client,
      fast.map((r) => ({
        input: r.fast!.input,
        meta: customerMeta(r.mail.id),
      })),
    );
    for (const [i, r] of fast.entries()) await storeFilesOf(ctx, client, r.parsed, added[i]!);
    const settled = fast.map((r, i) => ({ id: r.mail.id, result: added[i]!, ...settle(r.facts, added[i]!) }));
    await client.query(
      `UPDATE inbound_mails i SET status = u.status::"InboundStatus", outcome = u.outcome, ticket_id = u.ticket_id,
         ticket_message_id = u.message_id, processed_at = $6, error = NULL,
         attempts = i.attempts + u.attempt
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $7::int[])
         AS u(id, status, outcome, ticket_id, message_id, attempt)
       WHERE i.id = u.id`,
      [
        settled.map((s) => s.id),
        settled.map((s) => s.status),
        settled.map((s) => s.outcome),
        settled.map((s) => s.result.ticketId),
        settled.map((s) => s.ticketMessageId),
        ctx.clock.now(),
        fast.map((r) => (r.mail.own ? 0 : 1)),
      ],
    );
    for (const s of settled) {
      const ticketId = s.result.ticketId;
      ctx.logger.info(
        { inboundMailId: s.id, outcome: s.outcome, ticketId, matchedBy: 'token' },
        'inbound mail processed',
      );
      results.set(s.id, { status: s.status, outcome: s.outcome, ticketId, matchedBy: 'token' });
      contextChanged ||= opensTicket(s.result.outcome);
    }
  }
  for (const r of reads) {
    if (results.has(r.mail.id)) continue;
    // writeSubmissionsIn set the audit context to the opened ticket's request: back to the worker's.
    if (contextChanged) await setWriteContext(client, WORKER);
    const result = await processClaimed(ctx, client, r.mail.id, r.mail, r.parsed, !r.mail.own);
    contextChanged = opensTicket(result.outcome);
    results.set(r.mail.id, result);
  }
  return results;
}

const opensTicket = (outcome: string | undefined) => outcome === 'new_ticket' || outcome === 'follow_up';

/**
 * Of the candidates, the mails whose reply-address ticket exists and is open and that no earlier
 * copy (same Message-ID, or same bytes without one) was processed before: one statement for all.
 */
async function openTicketsWithoutCopies(client: pg.ClientBase, candidates: Read[]): Promise<Set<string>> {
  if (!candidates.length) return new Set();
  const { rows } = await client.query<{ id: string; status: string | null; copied: boolean }>(
    `SELECT u.id, t.status::text AS status, (bm.found OR bs.found) IS TRUE AS copied
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS u(id, message_id, sha256, ticket_id)
     LEFT JOIN contact_submissions t ON t.id = u.ticket_id
     LEFT JOIN LATERAL (SELECT true AS found FROM inbound_mails i WHERE i.message_id = u.message_id
       AND i.id <> u.id AND i.status IN ('processed', 'ignored') LIMIT 1) bm ON true
     LEFT JOIN LATERAL (SELECT true AS found FROM inbound_mails i WHERE u.message_id IS NULL AND i.sha256 = u.sha256
       AND i.id <> u.id AND i.status IN ('processed', 'ignored') LIMIT 1) bs ON true`,
    [
      candidates.map((r) => r.mail.id),
      candidates.map((r) => r.facts.messageId),
      candidates.map((r) => r.mail.sha256),
      candidates.map((r) => r.fast!.ticketId),
    ],
  );
  return new Set(rows.filter((r) => r.status && !CLOSED.includes(r.status) && !r.copied).map((r) => r.id));
}

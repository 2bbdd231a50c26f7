// The one way into the inbound pipeline (SMTP receiver, IMAP poller, HTTP endpoint): the raw
// bytes are stored BEFORE anything parses them, together with the job that will process them, in
// one transaction. The receiver answers "250" / the poller flags the message only once this
// resolves, i.e. after COMMIT: from then on nothing the sender handed over can be lost, and a
// mail that later fails to parse stays in inbound_mails for an admin to see and retry.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { AppContext } from '../context.js';

export interface RawInbound {
  raw: Buffer;
  channel: 'smtp' | 'imap' | 'http';
  envelopeFrom?: string | null;
  envelopeTo?: string[];
}

/** The graphile task that processes a stored mail (registered in src/jobs/worker.ts). */
export const INBOUND_TASK = 'inbound_process';
/** Processing is idempotent; a few retries cover a database hiccup, the rest is an admin's "retry". */
export const INBOUND_MAX_ATTEMPTS = 5;
const MAX_HEADER_SCAN = 256 * 1024;

/**
 * The Message-ID from the header block only (up to the first empty line), unfolded; no MIME parsing:
 * the receiver must answer quickly and a malformed body must not stop the mail from being stored.
 */
export function headerMessageId(raw: Buffer): string | null {
  const head = raw.subarray(0, MAX_HEADER_SCAN).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:[ \t]*(.*)$/im.exec(block);
  const value = m?.[1]?.trim();
  if (!value) return null;
  const bracketed = /<[^<>\s]+>/.exec(value)?.[0] ?? (/^\S+$/.test(value) ? `<${value}>` : null);
  return bracketed && bracketed.length <= 998 ? bracketed : null;
}

/**
 * The add_job call for one stored mail, over SQL expressions for the task, the mail's id and the
 * attempt limit. One job key per mail: storing and an admin's retry must agree on it (a retry
 * under the same key revives a job that used up its attempts).
 */
const addJobSql = (task: string, id: string, maxAttempts: string) =>
  `graphile_worker.add_job(${task}, json_build_object('inboundMailId', ${id}::text),
     job_key := 'inbound:' || ${id}::text, max_attempts := ${maxAttempts}::int)`;

/** Puts the processing job (back) in the queue inside the caller's transaction. */
export async function queueInboundJob(client: pg.ClientBase, inboundMailId: string): Promise<void> {
  await client.query(`SELECT ${addJobSql('$1', '$2', '$3')}`, [INBOUND_TASK, inboundMailId, INBOUND_MAX_ATTEMPTS]);
}

/** Stores the raw mail and queues its processing; resolves after COMMIT. */
export async function storeInboundMail(ctx: AppContext, mail: RawInbound): Promise<{ id: string }> {
  const sha256 = createHash('sha256').update(mail.raw).digest('hex');
  const messageId = headerMessageId(mail.raw);
  const envelopeFrom = mail.envelopeFrom ? mail.envelopeFrom.slice(0, 254) : null;
  // One statement, so one implicit transaction: the row and its job commit together or not at
  // all, in one round trip instead of BEGIN / INSERT / add_job / COMMIT (bench/inbound.ts).
  // inbound_mails is not audited: no audit context is needed.
  const { rows } = await ctx.db.pool.query<{ id: string }>(
    `WITH stored AS (
       INSERT INTO inbound_mails (channel, raw, size, sha256, message_id, envelope_from, envelope_to, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
     )
     SELECT id, (${addJobSql('$9', 'id', '$10')}).id AS job_id FROM stored`,
    [
      mail.channel,
      mail.raw,
      mail.raw.length,
      sha256,
      messageId,
      envelopeFrom,
      mail.envelopeTo ?? [],
      ctx.clock.now(),
      INBOUND_TASK,
      INBOUND_MAX_ATTEMPTS,
    ],
  );
  return { id: rows[0]!.id };
}

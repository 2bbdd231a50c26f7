// The one way into the inbound pipeline (SMTP receiver, IMAP poller, HTTP endpoint): the raw
// bytes are stored BEFORE anything parses them, together with the job that will process them, in
// one transaction. The receiver answers "250" / the poller flags the message only once this
// resolves, i.e. after COMMIT: from then on nothing the sender handed over can be lost, and a
// mail that later fails to parse stays in inbound_mails for an admin to see and retry.
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { GroupCommit } from '../db/group-commit.js';

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
 * The graphile queue of the processing jobs: they run one at a time, and each run takes the mails
 * waiting with it (inbound.batch.ts). While one runs the next mails gather for the next run,
 * instead of each starting a transaction of its own that competes for the same CPU and locks.
 */
export const INBOUND_QUEUE = 'inbound';

/**
 * The add_job call for one stored mail, over SQL expressions for the task, the mail's id and the
 * attempt limit. One job key per mail: storing and an admin's retry must agree on it (a retry
 * under the same key revives a job that used up its attempts).
 */
const addJobSql = (task: string, id: string, maxAttempts: string) =>
  `graphile_worker.add_job(${task}, json_build_object('inboundMailId', ${id}::text),
     queue_name := '${INBOUND_QUEUE}', job_key := 'inbound:' || ${id}::text, max_attempts := ${maxAttempts}::int)`;

/** Puts the processing job (back) in the queue inside the caller's transaction. */
export async function queueInboundJob(client: pg.ClientBase, inboundMailId: string): Promise<void> {
  await client.query(`SELECT ${addJobSql('$1', '$2', '$3')}`, [INBOUND_TASK, inboundMailId, INBOUND_MAX_ATTEMPTS]);
}

/**
 * Stores the raw mail and queues its processing; resolves after COMMIT.
 *
 * Concurrent stores of one process are written together (group commit, as submit-writer.ts does
 * for submissions): while one statement is in flight, new mails queue, and the next statement
 * takes all of them. Every transaction that queues a job NOTIFYs the worker, and PostgreSQL lets
 * only one NOTIFYing transaction commit at a time (the notify queue lock is held through the WAL
 * flush): one mail per transaction capped storing at about one mail per flush (~400/s measured,
 * against ~2,000/s for the INSERT alone). Each mail still gets its own row and its own job, and
 * its 250 / \Seen / 202 only after the COMMIT that made it durable.
 */
export function storeInboundMail(ctx: AppContext, mail: RawInbound): Promise<{ id: string }> {
  let group = batchers.get(ctx.db);
  if (!group) {
    group = new GroupCommit<Pending, { id: string }>(
      async (batch) => {
        await insertMails(ctx, batch);
        return batch.map((p) => ({ id: p.id }));
      },
      {
        maxItems: MAX_BATCH,
        maxSize: { limit: MAX_BATCH_BYTES, of: (p) => p.size },
      },
    );
    batchers.set(ctx.db, group);
  }
  const id = randomUUID();
  const row = [
    id,
    mail.channel,
    mail.raw,
    mail.raw.length,
    createHash('sha256').update(mail.raw).digest('hex'),
    headerMessageId(mail.raw),
    mail.envelopeFrom ? mail.envelopeFrom.slice(0, 254) : null,
    mail.envelopeTo ?? [],
    ctx.clock.now(),
  ];
  return group.add({ row, size: mail.raw.length, id });
}

/** Mails per statement, and the raw bytes one statement may carry (a large mail goes alone). */
const MAX_BATCH = 50;
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

interface Pending {
  row: unknown[];
  size: number;
  id: string;
}

const batchers = new WeakMap<AppContext['db'], GroupCommit<Pending, { id: string }>>();

/**
 * The rows and their job in ONE statement, so one implicit transaction: they commit together or
 * not at all. inbound_mails is not audited: no audit context is needed.
 *
 * graphile's add_job NOTIFYs every listening worker pool, and each notice sends an idle worker
 * slot to fetch a job: while a batch runs, the inbound queue is locked, so under a stream of mail
 * every store cost a job fetch that could find nothing (1,641 fetches for 3,000 mails,
 * bench/inbound.ts). While the queue is locked the job is therefore inserted as add_job would
 * insert it, without the notice: the running batch takes these mails itself (claimMore) and
 * deletes their job, and a job still left when it ends is fetched by the slot that ran it or at
 * the next poll. Each group still has its own job; only the wake-up is left out.
 */
async function insertMails(ctx: Pick<AppContext, 'db'>, batch: Pending[]): Promise<void> {
  const width = batch[0]!.row.length;
  const values = batch
    .map((_, i) => {
      const p = (k: number) => `$${i * width + k + 2}`;
      return `(${p(1)}::uuid, ${p(2)}, ${p(3)}::bytea, ${p(4)}::int, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}::text[], ${p(9)}::timestamptz)`;
    })
    .join(', ');
  const payload = `json_build_object('inboundMailIds', (SELECT json_agg(id) FROM stored))`;
  await ctx.db.pool.query(
    `WITH stored AS (
       INSERT INTO inbound_mails (id, channel, raw, size, sha256, message_id, envelope_from, envelope_to, received_at)
       VALUES ${values} RETURNING id
     ), busy AS (
       SELECT q.id AS queue_id, t.id AS task_id
       FROM graphile_worker._private_job_queues q JOIN graphile_worker._private_tasks t ON t.identifier = $1
       WHERE q.queue_name = '${INBOUND_QUEUE}' AND q.locked_at IS NOT NULL
     ), quiet AS (
       INSERT INTO graphile_worker._private_jobs (job_queue_id, task_id, payload, max_attempts)
       SELECT queue_id, task_id, ${payload}, $2::smallint FROM busy
       RETURNING id
     )
     SELECT (SELECT id FROM quiet) AS quiet_job,
       (SELECT (graphile_worker.add_job($1, ${payload}, queue_name := '${INBOUND_QUEUE}', max_attempts := $2::int)).id
        WHERE NOT EXISTS (SELECT 1 FROM busy)) AS notified_job`,
    [INBOUND_TASK, INBOUND_MAX_ATTEMPTS, ...batch.flatMap((p) => p.row)],
  );
}

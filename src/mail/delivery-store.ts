// The delivery rows' two writes on the hot path — the claim before sending and the `sent` mark
// after — as set-based statements that carry the rows of every job running at that moment.
//
// Why. Each mail job made ~4.4 database round trips (get job, claim, customer-link insert, mark
// sent, delete job), and on this kind of host a round trip costs the worker's one thread more CPU
// than rendering and composing the mail (socket writes that wake a PostgreSQL backend on the other
// core: bench/email.ts, "node CPU ms/mail"). So:
// - the customer-link insert rides in the claim statement (the job payload names the ticket, so
//   the link token is known before the claim);
// - claims (and `sent` marks) of jobs that run at the same time go out as one statement: while
//   one statement is in flight, the next one collects the requests that arrive meanwhile. An idle
//   worker sends a lone request at once, so pickup latency does not grow.
//
// What does not change: every job still claims and records ITS OWN delivery (graphile's job lock
// is the per-delivery guard, as before), gets its own outcome, fails and is retried alone. A
// batch is only a transport for independent rows; a statement that fails (the database went
// away) fails each request in it, which each job handles as it handled its own failed statement.
import type pg from 'pg';
import type { CustomerLinkRecord } from '../portal/customer-links.js';
import type { EmailKind } from './mail.queue.js';

/** Rows one statement carries at most (a long queue is served in several statements). */
const MAX_BATCH = 64;

/**
 * Coalesces requests into set-based statements: at most one statement of a kind in flight per
 * pool; requests made while it runs go together in the next one.
 */
class Coalescer<Req, Res> {
  private queue: Array<{ req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }> = [];
  private busy = false;
  constructor(private readonly run: (reqs: Req[]) => Promise<Res[]>) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        // Requests made in this turn of the event loop (jobs started by the same fetch) join in.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    try {
      const results = await this.run(batch.map((b) => b.req));
      batch.forEach((b, i) => b.resolve(results[i]!));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
    if (this.queue.length) void this.flush();
    else this.busy = false;
  }
}

const perPool = new WeakMap<
  pg.Pool,
  { claims: Coalescer<ClaimRequest, ClaimRow | undefined>; sent: Coalescer<SentRecord, boolean> }
>();

function coalescers(pool: pg.Pool) {
  let c = perPool.get(pool);
  if (!c) {
    c = {
      claims: new Coalescer((reqs) => claimRows(pool, reqs, { wait: false })),
      sent: new Coalescer((recs) => markSent(pool, recs, { wait: false })),
    };
    perPool.set(pool, c);
  }
  return c;
}

export interface ClaimRequest {
  deliveryId: string;
  /** The customer-page link to make with the claim (a customer mail whose job names its ticket). */
  link?: CustomerLinkRecord | null;
}

/** One locked delivery with what its message needs (see `claim` in mail.service.ts). */
export interface ClaimRow {
  id: string;
  ticket_id: string | null;
  ticket_number: string;
  kind: EmailKind;
  recipient: string;
  status: 'queued' | 'sent' | 'failed';
  t_id: string | null;
  t_number: string | null;
  name: string | null;
  email: string | null;
  subject: string | null;
  message: string | null;
  category: string | null;
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
  /** The requested customer link exists now (made by this claim or an earlier attempt). */
  link_made: boolean;
}

/** Outcomes of the inbound mail that opened a ticket (a new one, or a follow-up of a closed one). */
export const OPENED_BY_MAIL = `('new_ticket', 'follow_up')`;

/** Locks the delivery row, counts the attempt (or fails it when what it is about is gone), makes its link. */
export async function claimDelivery(pool: pg.Pool, req: ClaimRequest): Promise<ClaimRow | undefined> {
  // The shared statement skips rows another transaction holds, so one held row never stalls the
  // claims of every job; such a row (or a missing one) is then claimed alone, waiting for it.
  return (await coalescers(pool).claims.submit(req)) ?? (await claimRows(pool, [req], { wait: true }))[0];
}

async function claimRows(
  pool: pg.Pool,
  reqs: ClaimRequest[],
  { wait }: { wait: boolean },
): Promise<Array<ClaimRow | undefined>> {
  // One statement: lock the rows (in id order, so two workers' statements cannot deadlock), then
  // count each attempt or — when the ticket is gone — mark it failed, and make the customer links
  // of the rows that will be sent. email_deliveries and customer_links are not audited.
  const { rows } = await pool.query<ClaimRow>({
    name: wait ? 'mail-claim-row' : 'mail-claim-rows',
    text: `WITH req AS (
       SELECT DISTINCT ON (id) * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[])
         AS r(id, link_ticket, link_hash, link_at, link_expires)
     ), d AS (
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
       WHERE d.id IN (SELECT id FROM req) ORDER BY d.id FOR UPDATE OF d ${wait ? '' : 'SKIP LOCKED'}
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
     ), wanted AS (
       -- Only for a row that is about to be sent, and only for the ticket it is about.
       SELECT r.id, r.link_ticket, r.link_hash, r.link_at, r.link_expires FROM req r JOIN d ON d.id = r.id
       WHERE r.link_hash IS NOT NULL AND d.ticket_id = r.link_ticket AND d.status <> 'sent' AND NOT d.gone
     ), links AS (
       INSERT INTO customer_links (ticket_id, token_hash, created_at, expires_at)
       SELECT link_ticket, link_hash, link_at, link_expires FROM wanted
       ON CONFLICT (token_hash) DO NOTHING
     )
     SELECT d.*, EXISTS (SELECT 1 FROM wanted w WHERE w.id = d.id) AS link_made FROM d`,
    values: [
      reqs.map((r) => r.deliveryId),
      reqs.map((r) => r.link?.ticketId ?? null),
      reqs.map((r) => r.link?.tokenHash ?? null),
      reqs.map((r) => r.link?.createdAt ?? null),
      reqs.map((r) => r.link?.expiresAt ?? null),
    ],
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return reqs.map((r) => byId.get(r.deliveryId.toLowerCase()));
}

export interface SentRecord {
  deliveryId: string;
  messageId: string;
  sentAt: Date;
}

/** Marks the row `sent` (and a reply's thread message gets the Message-ID it went out with). */
export async function recordSentRow(pool: pg.Pool, rec: SentRecord): Promise<void> {
  // As for claims: a row held by another transaction is left out of the shared statement and
  // marked alone, so it delays no other mail's mark (each unmarked mail widens the resend window).
  if (!(await coalescers(pool).sent.submit(rec))) await markSent(pool, [rec], { wait: true });
}

async function markSent(pool: pg.Pool, recs: SentRecord[], { wait }: { wait: boolean }): Promise<boolean[]> {
  // One statement on tables that are not audited: atomic without a transaction block. Inbound
  // matching reads a reply's Message-ID from its thread message. Rows are marked only with their
  // thread message, never without it.
  const skip = wait ? '' : 'SKIP LOCKED';
  const { rows } = await pool.query<{ id: string }>({
    name: wait ? 'mail-mark-sent-row' : 'mail-mark-sent-rows',
    text: `WITH v AS (
       SELECT DISTINCT ON (id) * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS v(id, message_id, sent_at)
     ), e AS (
       SELECT e.id, e.ticket_message_id FROM email_deliveries e WHERE e.id IN (SELECT id FROM v)
       ORDER BY e.id FOR UPDATE OF e ${skip}
     ), m AS (
       SELECT m.id FROM ticket_messages m WHERE m.id IN (SELECT ticket_message_id FROM e) FOR UPDATE OF m ${skip}
     ), d AS (
       UPDATE email_deliveries x SET status = 'sent', message_id = v.message_id, sent_at = v.sent_at, last_error = NULL, updated_at = now()
       FROM v, e WHERE x.id = v.id AND e.id = v.id AND (e.ticket_message_id IS NULL OR e.ticket_message_id IN (SELECT id FROM m))
       RETURNING x.id, x.ticket_message_id, v.message_id
     ), t AS (
       UPDATE ticket_messages tm SET message_id = d.message_id FROM d
       WHERE tm.id = d.ticket_message_id AND tm.message_id IS NULL
     )
     SELECT id::text FROM d`,
    values: [recs.map((r) => r.deliveryId), recs.map((r) => r.messageId), recs.map((r) => r.sentAt)],
  });
  const marked = new Set(rows.map((r) => r.id));
  // A row that no longer exists has nothing to mark: only the shared statement's skips are retried.
  return recs.map((r) => marked.has(r.deliveryId.toLowerCase()) || wait);
}

// Queues ticket emails inside the caller's transaction: one EmailDelivery row per recipient and a
// graphile-worker job pointing at it. Committed together with the ticket change, or not at all.
// The unique (ticket, kind, recipient) key and the job key make queuing idempotent.
import type { SqlRunner } from '../db/sql.js';

export const EMAIL_KINDS = [
  'contact_confirmation',
  'contact_admin_notification',
  'contact_resolved',
  'ticket_reply',
  // "Find my tickets" (src/portal): the links of a customer's open tickets, to that address.
  'ticket_links',
  // A customer rated a resolution bad (src/portal/ratings.ts): to the assignee, else the admins.
  'rating_bad_alert',
  // A webhook endpoint was disabled after a day of failures (src/webhooks/jobs.ts): no ticket.
  'webhook_disabled',
  // SLA (src/sla/sla.jobs.ts): a clock is about to breach / has breached, to the assignee or the
  // admins; the morning digest of a moderator (src/sla/digest.ts), anchored on one of its tickets.
  'sla_warning',
  'sla_breach',
  'moderator_digest',
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/** Attempts before a delivery is marked failed (graphile-worker backs off exponentially). */
export const MAIL_MAX_ATTEMPTS = 12;

/**
 * Kinds that may go out more than once for the same ticket and recipient (a second "find my
 * tickets", a later resolution rated bad): the (ticket, kind, recipient) unique index leaves them
 * out (migration 20261202900100_ticket_ratings) and their job key is the delivery itself, so a
 * second one never replaces the first one's pending job.
 */
export const REPEATABLE_KINDS: readonly EmailKind[] = [
  'ticket_links',
  'rating_bad_alert',
  'webhook_disabled',
  // Once-only by their own records (sla_alerts, digest_runs; migration 20261203400100).
  'sla_warning',
  'sla_breach',
  'moderator_digest',
];
const REPEATABLE_SQL = REPEATABLE_KINDS.map((k) => `'${k}'`).join(', ');

/**
 * A delivery's graphile-worker job key, as SQL over its kind, ticket_id, ticket_message_id and
 * recipient columns: `mail:<kind>:<ticketId, or the message id of a reply>:<recipient, lower
 * case>`. One key per delivery, so queuing it again
 * while its job is still pending updates that job instead of adding a second one. Defined once
 * here: the queue and the requeue must agree on it.
 */
const JOB_KEY_SQL = `'mail:' || kind || ':' || CASE WHEN kind IN (${REPEATABLE_SQL}) THEN id::text
  ELSE COALESCE(ticket_message_id, ticket_id) || ':' || lower(recipient) END`;

export interface QueueMailInput {
  ticketId: string;
  ticketNumber: string;
  kind: EmailKind;
  /** Explicit recipients; `null` means "every active admin". */
  recipients: string[] | null;
  /** The thread message a reply email carries (one delivery per message and recipient). */
  ticketMessageId?: string;
}

export async function queueTicketMail(sql: SqlRunner, input: QueueMailInput): Promise<number> {
  return queueTicketMails(sql, [input]);
}

/**
 * Queues many messages in one statement (a batch of submissions, a bulk resolve): the delivery
 * rows and ONE graphile_worker.add_jobs call. add_job per message would send one NOTIFY each
 * (graphile makes every payload unique), which measurably slowed the submit path.
 */
export async function queueTicketMails(sql: SqlRunner, inputs: QueueMailInput[]): Promise<number> {
  if (inputs.length === 0) return 0;
  // One row per (ticket, kind, explicit recipient); a NULL recipient stands for "every active admin".
  const rows = inputs.flatMap((i) =>
    (i.recipients ?? [null]).map(
      (recipient) => [i.ticketId, i.ticketNumber, i.kind, recipient, i.ticketMessageId ?? null] as const,
    ),
  );
  const result = await sql<{ queued: number }>(
    `WITH requested AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $6::uuid[])
         AS r(ticket_id, ticket_number, kind, recipient, ticket_message_id)
     ), expanded AS (
       SELECT DISTINCT ON (ticket_id, kind, ticket_message_id, lower(recipient))
         ticket_id, ticket_number, kind, recipient, ticket_message_id
       FROM (
         SELECT ticket_id, ticket_number, kind, recipient, ticket_message_id FROM requested WHERE recipient IS NOT NULL
         UNION ALL
         SELECT q.ticket_id, q.ticket_number, q.kind, u.email::text, q.ticket_message_id
         FROM requested q CROSS JOIN users u
         WHERE q.recipient IS NULL AND u.role = 'admin' AND u.is_active
       ) x
     ), deliveries AS (
       -- No conflict target: (ticket, kind, recipient) for ticket mails and (message, recipient)
       -- for replies are both unique indexes, and queuing either again is a no-op.
       INSERT INTO email_deliveries (id, ticket_id, ticket_number, kind, recipient, ticket_message_id, updated_at)
       SELECT gen_random_uuid(), ticket_id, ticket_number, kind::"EmailKind", recipient, ticket_message_id, now()
       FROM expanded
       ON CONFLICT DO NOTHING
       RETURNING id, ticket_id, ticket_message_id, kind::text AS kind, recipient
     ), specs AS (
       SELECT array_agg(ROW(kind, json_build_object('deliveryId', id, 'ticketId', ticket_id), NULL, NULL, $5::int,
         ${JOB_KEY_SQL}, NULL, NULL)::graphile_worker.job_spec) AS specs
       FROM deliveries
     ), jobs AS (
       SELECT j.id FROM specs, LATERAL graphile_worker.add_jobs(specs.specs) j WHERE specs.specs IS NOT NULL
     )
     SELECT count(*)::int AS queued FROM jobs`,
    [
      rows.map((r) => r[0]),
      rows.map((r) => r[1]),
      rows.map((r) => r[2]),
      rows.map((r) => r[3]),
      MAIL_MAX_ATTEMPTS,
      rows.map((r) => r[4]),
    ],
  );
  return result[0]?.queued ?? 0;
}

/**
 * Puts a `failed` delivery back in the queue (a moderator's "retry" after fixing the SMTP settings,
 * say): status `queued` and a fresh job under the same job key, with a fresh attempt budget. Runs
 * in the caller's transaction. Sent or still-queued deliveries are left alone, and so are those
 * whose ticket was deleted. Returns whether a job was queued.
 */
export async function requeueFailedDelivery(sql: SqlRunner, deliveryId: string): Promise<boolean> {
  const rows = await sql<{ queued: number }>(
    `WITH retried AS (
       UPDATE email_deliveries SET status = 'queued', updated_at = now()
       WHERE id = $1::uuid AND status = 'failed' AND ticket_id IS NOT NULL
       RETURNING id, ticket_id, ticket_message_id, kind::text AS kind, recipient
     )
     SELECT count(graphile_worker.add_job(kind, json_build_object('deliveryId', id, 'ticketId', ticket_id),
       job_key := ${JOB_KEY_SQL},
       max_attempts := $2::int))::int AS queued
     FROM retried`,
    [deliveryId, MAIL_MAX_ATTEMPTS],
  );
  return (rows[0]?.queued ?? 0) > 0;
}

/**
 * The mail to a webhook endpoint's admin when the endpoint was disabled (src/webhooks/jobs.ts),
 * in the caller's transaction. Not about a ticket: the delivery names the endpoint instead.
 * `null` recipients: every active admin.
 */
export async function queueWebhookDisabledMail(
  sql: SqlRunner,
  endpointId: string,
  recipients: string[] | null,
): Promise<number> {
  const rows = await sql<{ queued: number }>(
    `WITH d AS (
       INSERT INTO email_deliveries (id, ticket_id, ticket_number, kind, recipient, webhook_endpoint_id, updated_at)
       SELECT gen_random_uuid(), NULL, '', 'webhook_disabled', r, $1::uuid, now()
       FROM (SELECT unnest($2::text[]) AS r WHERE $2::text[] IS NOT NULL
             UNION SELECT u.email::text FROM users u WHERE $2::text[] IS NULL AND u.role = 'admin' AND u.is_active) x
       RETURNING id, kind::text AS kind
     )
     SELECT count(graphile_worker.add_job(kind, json_build_object('deliveryId', id),
       job_key := 'mail:' || kind || ':' || id, max_attempts := $3::int))::int AS queued FROM d`,
    [endpointId, recipients, MAIL_MAX_ATTEMPTS],
  );
  return rows[0]?.queued ?? 0;
}

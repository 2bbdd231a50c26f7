// Queues ticket emails inside the caller's transaction: one EmailDelivery row per recipient and a
// graphile-worker job pointing at it. Committed together with the ticket change, or not at all.
// The unique (ticket, kind, recipient) key and the job key make queuing idempotent.
import type { SqlRunner } from '../db/sql.js';

export const EMAIL_KINDS = ['contact_confirmation', 'contact_admin_notification', 'contact_resolved'] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/** Attempts before a delivery is marked failed (graphile-worker backs off exponentially). */
export const MAIL_MAX_ATTEMPTS = 12;

export function mailJobKey(kind: EmailKind, ticketId: string, recipient: string): string {
  return `mail:${kind}:${ticketId}:${recipient.toLowerCase()}`;
}

export interface QueueMailInput {
  ticketId: string;
  ticketNumber: string;
  kind: EmailKind;
  /** Explicit recipients; `null` means "every active admin". */
  recipients: string[] | null;
}

export async function queueTicketMail(sql: SqlRunner, input: QueueMailInput): Promise<number> {
  const rows = await sql<{ queued: number }>(
    `WITH recipients AS (
       SELECT DISTINCT ON (lower(r)) r AS recipient
       FROM unnest(COALESCE($4::text[],
         ARRAY(SELECT email::text FROM users WHERE role = 'admin' AND is_active ORDER BY created_at))) AS r
     ), deliveries AS (
       INSERT INTO email_deliveries (id, ticket_id, ticket_number, kind, recipient, updated_at)
       SELECT gen_random_uuid(), $1::uuid, $2, $3::"EmailKind", recipient, now() FROM recipients
       ON CONFLICT (ticket_id, kind, recipient) DO NOTHING
       RETURNING id, recipient
     )
     SELECT count(graphile_worker.add_job($3::text, json_build_object('deliveryId', id),
       job_key := 'mail:' || $3 || ':' || $1 || ':' || lower(recipient),
       max_attempts := $5::int))::int AS queued
     FROM deliveries`,
    [input.ticketId, input.ticketNumber, input.kind, input.recipients, MAIL_MAX_ATTEMPTS],
  );
  return rows[0]?.queued ?? 0;
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
       RETURNING id, ticket_id, kind::text AS kind, recipient
     )
     SELECT count(graphile_worker.add_job(kind, json_build_object('deliveryId', id),
       job_key := 'mail:' || kind || ':' || ticket_id || ':' || lower(recipient),
       max_attempts := $2::int))::int AS queued
     FROM retried`,
    [deliveryId, MAIL_MAX_ATTEMPTS],
  );
  return (rows[0]?.queued ?? 0) > 0;
}

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

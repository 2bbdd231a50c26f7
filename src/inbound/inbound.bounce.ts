// A bounce is not a message: it says one of our mails did not arrive. We find the delivery it
// answers — by our signed Message-ID (in the DSN's returned headers, its References, or its text),
// else by the recipient the DSN names — and mark that email_deliveries row failed with the reason.
import type { ParsedMail } from 'mailparser';
import type pg from 'pg';
import type { Config } from '../config.js';
import { deliveriesFromMessageIds } from '../conversation/mail-signing.js';
import { rawHeaders } from './inbound.headers.js';

export interface BounceReport {
  /** failed | delayed | delivered | relayed | expanded; null when the report does not say. */
  action: string | null;
  recipients: string[];
  reason: string;
  /** Deliveries named by our own signed Message-IDs in the report. */
  deliveryIds: string[];
}

/** Days a delivery is matched by recipient alone (no Message-ID in the report). */
const RECIPIENT_MATCH_DAYS = 7;

const field = (text: string, name: string): string[] =>
  [...text.matchAll(new RegExp(`^${name}:[ \\t]*(.+(?:\\r?\\n[ \\t]+.+)*)`, 'gim'))].map((m) =>
    m[1]!.replace(/\s+/g, ' ').trim(),
  );

export function readBounce(parsed: ParsedMail, config: Pick<Config, 'MAIL_SIGNING_SECRET' | 'DATA_DIR'>): BounceReport {
  // mailparser keeps the report's machine parts (message/delivery-status, the returned
  // message/rfc822 or text/rfc822-headers) as attachments.
  const parts = parsed.attachments.map((a) => a.content.toString('utf8'));
  const status = parsed.attachments
    .filter((a) => a.contentType.toLowerCase() === 'message/delivery-status')
    .map((a) => a.content.toString('utf8'))
    .join('\n');
  const everything = [
    ...rawHeaders(parsed, 'in-reply-to'),
    ...rawHeaders(parsed, 'references'),
    ...parts,
    parsed.text ?? '',
  ].join('\n');
  const deliveryIds = [...new Set(deliveriesFromMessageIds(config, everything))];
  const source = status || parsed.text || '';
  const recipients = [...field(source, 'Original-Recipient'), ...field(source, 'Final-Recipient')]
    .map((v) =>
      v
        .replace(/^rfc822;\s*/i, '')
        .trim()
        .toLowerCase(),
    )
    .filter((v) => /^[^\s@<>]+@[^\s@<>]+$/.test(v));
  const action = field(source, 'Action')[0]?.toLowerCase() ?? null;
  const reason =
    [field(source, 'Status')[0], field(source, 'Diagnostic-Code')[0]?.replace(/^smtp;\s*/i, '')]
      .filter(Boolean)
      .join(' ') ||
    (parsed.subject ?? 'bounced');
  return { action, recipients: [...new Set(recipients)], reason: reason.slice(0, 1_000), deliveryIds };
}

/**
 * Marks the bounced deliveries failed; returns the ticket they belong to (for the admin's view of
 * the inbound mail). A "delayed" report is news, not failure: nothing changes.
 */
export async function recordBounce(
  client: pg.ClientBase,
  report: BounceReport,
  now: Date,
): Promise<{ ticketId: string | null; deliveryIds: string[] }> {
  if (report.action && report.action !== 'failed') return { ticketId: null, deliveryIds: [] };
  let ids = report.deliveryIds;
  if (!ids.length && report.recipients.length) {
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM email_deliveries WHERE lower(recipient) = ANY($1::text[]) AND status = 'sent'
         AND sent_at > $2::timestamptz - make_interval(days => $3::int)
       ORDER BY sent_at DESC LIMIT 1`,
      [report.recipients, now, RECIPIENT_MATCH_DAYS],
    );
    ids = rows.map((r) => r.id);
  }
  if (!ids.length) return { ticketId: null, deliveryIds: [] };
  const { rows } = await client.query<{ id: string; ticket_id: string | null }>(
    `UPDATE email_deliveries SET status = 'failed', last_error = $2, updated_at = now()
     WHERE id = ANY($1::uuid[]) RETURNING id, ticket_id`,
    [ids, `bounced: ${report.reason}`],
  );
  return { ticketId: rows.find((r) => r.ticket_id)?.ticket_id ?? null, deliveryIds: rows.map((r) => r.id) };
}

// Which ticket an inbound mail belongs to, most trustworthy evidence first. The first two are
// signed by us and cannot be forged; the later ones are only believed when they cannot be used to
// push mail into a stranger's ticket. Nothing matched → the mail opens a new ticket.
//   1. token   a signed reply address (support+t<id><sig>@…) among the recipients
//   2. signed  our signed Message-ID in In-Reply-To / References → the delivery's ticket
//   3. thread  a Message-ID stored for a thread (our sent mails, the customer's earlier mails)
//   4. thread_index  Outlook's Thread-Index root of an earlier mail of this sender in a thread
//   5. subject [CONT-YYYYMMDD-NNNN] in the subject, only when the sender is that ticket's submitter
import type pg from 'pg';
import type { Config } from '../config.js';
import { deliveriesFromMessageIds, ticketFromReplyAddress } from '../conversation/mail-signing.js';
import type { MailFacts } from './inbound.headers.js';

export type MatchedBy = 'token' | 'signed' | 'thread' | 'thread_index' | 'subject';
export interface TicketMatch {
  ticketId: string;
  by: MatchedBy;
  /** The ticket's status when matched (decides auto-reply handling and confirmations). */
  status: string;
}

const TICKET_NUMBER = /\[(CONT-\d{8}-\d{4,})\]/gi;
const THREAD_INDEX_DAYS = 180;

export async function matchTicket(
  client: pg.ClientBase,
  config: Pick<Config, 'MAIL_SIGNING_SECRET' | 'DATA_DIR'>,
  facts: MailFacts,
  inboundMailId: string,
  now: Date,
): Promise<TicketMatch | null> {
  const fromToken = ticketFromReplyAddress(config, facts.recipients);
  if (fromToken) {
    const { rows } = await client.query<{ status: string }>(
      'SELECT status::text FROM contact_submissions WHERE id = $1',
      [fromToken],
    );
    if (rows[0]) return { ticketId: fromToken, by: 'token', status: rows[0].status };
  }

  if (facts.answers.length) {
    // In-Reply-To first: the mail directly answered decides over older References.
    const deliveries = facts.answers.flatMap((id) => deliveriesFromMessageIds(config, id));
    if (deliveries.length) {
      const { rows } = await client.query<{ id: string; ticket_id: string; status: string }>(
        `SELECT d.id, d.ticket_id, t.status::text FROM email_deliveries d JOIN contact_submissions t ON t.id = d.ticket_id
         WHERE d.id = ANY($1::uuid[])`,
        [deliveries],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const hit = deliveries.map((d) => byId.get(d)).find(Boolean);
      if (hit) return { ticketId: hit.ticket_id, by: 'signed', status: hit.status };
    }
    const { rows } = await client.query<{ mid: string; ticket_id: string; status: string }>(
      `SELECT x.mid, x.ticket_id, t.status::text FROM (
         SELECT message_id AS mid, ticket_id FROM ticket_messages WHERE message_id = ANY($1::text[])
         UNION ALL
         SELECT message_id, ticket_id FROM email_deliveries WHERE message_id = ANY($1::text[]) AND ticket_id IS NOT NULL
         UNION ALL
         SELECT message_id, ticket_id FROM inbound_mails
         WHERE message_id = ANY($1::text[]) AND ticket_id IS NOT NULL AND id <> $2
       ) x JOIN contact_submissions t ON t.id = x.ticket_id`,
      [facts.answers, inboundMailId],
    );
    const byMid = new Map(rows.map((r) => [r.mid, r]));
    const hit = facts.answers.map((m) => byMid.get(m)).find(Boolean);
    if (hit) return { ticketId: hit.ticket_id, by: 'thread', status: hit.status };
  }

  const from = facts.from?.address.toLowerCase() ?? null;
  if (facts.threadIndexRoot && from) {
    // Outlook keeps one Thread-Index root for a conversation even where it rewrote Message-IDs.
    // Believed only for the ticket's own submitter: the root is not secret enough on its own.
    const { rows } = await client.query<{ ticket_id: string; status: string }>(
      `SELECT i.ticket_id, t.status::text FROM inbound_mails i JOIN contact_submissions t ON t.id = i.ticket_id
       WHERE i.id <> $1 AND i.received_at > $2::timestamptz - make_interval(days => $3::int)
         AND lower(t.email) = $4 AND position($5::bytea IN i.raw) > 0
       ORDER BY i.received_at DESC LIMIT 1`,
      [inboundMailId, now, THREAD_INDEX_DAYS, from, Buffer.from(`Thread-Index: ${facts.threadIndexRoot}`)],
    );
    if (rows[0]) return { ticketId: rows[0].ticket_id, by: 'thread_index', status: rows[0].status };
  }

  const numbers = [...facts.subject.matchAll(TICKET_NUMBER)].map((m) => m[1]!.toUpperCase());
  if (numbers.length && from) {
    // A stranger's ticket number (guessed, or copied) matches nothing: the sender must be the submitter.
    const { rows } = await client.query<{ id: string; ticket_number: string; status: string }>(
      `SELECT id, ticket_number, status::text FROM contact_submissions WHERE ticket_number = ANY($1::text[]) AND lower(email) = $2`,
      [numbers, from],
    );
    const hit = numbers.map((n) => rows.find((r) => r.ticket_number === n)).find(Boolean);
    if (hit) return { ticketId: hit.id, by: 'subject', status: hit.status };
  }
  return null;
}

// Reads a ticket's thread: the original message (from the ticket row) first, then every
// ticket_messages row oldest first, each reply with the delivery state of its email.
import type pg from 'pg';
import { listTicketFiles, type AttachmentRef, type RefusedFileRef } from '../attachments/attachments.repository.js';

export type ThreadKind = 'submission' | 'reply' | 'note' | 'customer';

export interface ThreadMessage {
  /** The message id; the original message carries the ticket's id. */
  id: string;
  kind: ThreadKind;
  /** in: from the customer; out: to the customer; internal: staff only. */
  direction: 'in' | 'out' | 'internal';
  author: { type: 'customer' | 'staff'; id: string | null; name: string; email: string };
  bodyText: string;
  bodyHtml: string | null;
  createdAt: Date;
  /** RFC 5322 Message-ID (the customer's mail, or our reply once sent). */
  messageId: string | null;
  channel: string;
  /** The reply email's state (replies only). */
  delivery: {
    status: 'queued' | 'sent' | 'failed';
    attempts: number;
    error: string | null;
    sentAt: Date | null;
  } | null;
  /** The message's files, in upload order (attachments.repository.ts). */
  attachments: AttachmentRef[];
  /** Files that came with the message but were not stored (an inbound mail over the limits). */
  refused: RefusedFileRef[];
}

const DIRECTION = { submission: 'in', customer: 'in', reply: 'out', note: 'internal' } as const;

/** null when the ticket does not exist. `includeNotes: false` is the customer's view. */
export async function loadThread(
  db: pg.Pool | pg.ClientBase,
  ticketId: string,
  opts: { includeNotes: boolean },
): Promise<ThreadMessage[] | null> {
  const { rows } = await db.query(
    `SELECT 'submission' AS kind, t.id, NULL::uuid AS author_id, t.name AS author_name, t.email AS author_email,
       t.message AS body_text, NULL AS body_html, t.created_at, NULL AS message_id, t.channel::text AS channel,
       NULL AS d_status, NULL::int AS d_attempts, NULL AS d_error, NULL::timestamptz AS d_sent_at, 0 AS ord
     FROM contact_submissions t WHERE t.id = $1
     UNION ALL
     SELECT m.kind::text, m.id, m.author_id, m.author_name, m.author_email, m.body_text, m.body_html, m.created_at,
       m.message_id, m.channel, d.status::text, d.attempts, d.last_error, d.sent_at, 1
     FROM ticket_messages m
     LEFT JOIN LATERAL (SELECT * FROM email_deliveries d WHERE d.ticket_message_id = m.id
                        ORDER BY d.created_at LIMIT 1) d ON true
     WHERE m.ticket_id = $1 AND ($2 OR m.kind <> 'note')
     ORDER BY ord, created_at, id`,
    [ticketId, opts.includeNotes],
  );
  if (!rows.length) return null;
  const files = await listTicketFiles(db, ticketId);
  return rows.map((r) => {
    const kind = r.kind as ThreadKind;
    return {
      id: r.id,
      kind,
      direction: DIRECTION[kind],
      author: {
        type: kind === 'submission' || kind === 'customer' ? 'customer' : 'staff',
        id: r.author_id,
        name: r.author_name,
        email: r.author_email,
      },
      bodyText: r.body_text,
      bodyHtml: r.body_html,
      createdAt: r.created_at,
      messageId: r.message_id,
      channel: r.channel,
      delivery: r.d_status
        ? { status: r.d_status, attempts: r.d_attempts, error: r.d_error, sentAt: r.d_sent_at }
        : null,
      attachments: files.attachments.get(r.id) ?? [],
      refused: files.refused.get(r.id) ?? [],
    };
  });
}

// The files of a public reply, attached to its email as real MIME parts. Read when the mail job
// builds the message (each attempt streams them afresh from storage, so a retry sends the same
// files, never a half-read one); only a `ticket_reply` of a `reply` message has any: a note's
// files never leave the desk, whatever queued the mail.
import type { SendMailOptions } from 'nodemailer';
import { attachmentStorage } from '../attachments/attachments.service.js';
import { servingOf } from '../attachments/file-types.js';
import type { AppContext } from '../context.js';
import type { EmailKind } from './mail.queue.js';

type MailAttachments = NonNullable<SendMailOptions['attachments']>;

export async function replyAttachments(
  ctx: AppContext,
  delivery: { id: string; kind: EmailKind },
): Promise<MailAttachments> {
  if (delivery.kind !== 'ticket_reply') return [];
  const { rows } = await ctx.db.pool.query<{ file_name: string; sniffed_type: string; sha256: string }>(
    `SELECT a.file_name, a.sniffed_type, a.sha256 FROM email_deliveries d
     JOIN ticket_messages m ON m.id = d.ticket_message_id AND m.kind = 'reply'
     JOIN attachments a ON a.ticket_message_id = m.id
     WHERE d.id = $1 ORDER BY a.created_at, a.id`,
    [delivery.id],
  );
  // The sniffed type, made harmless as for a download (never text/html or SVG), as an attachment.
  return rows.map((r) => ({
    filename: r.file_name,
    contentType: servingOf(r.sniffed_type).contentType,
    contentDisposition: 'attachment' as const,
    content: attachmentStorage(ctx).get(r.sha256),
  }));
}

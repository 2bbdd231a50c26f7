// Files on the customer page: the attachments of the public thread (src/attachments/), downloaded
// through the link. A file is served only when it belongs to the link's ticket AND to a message
// the customer may see: the original message, a reply or their own message — never an internal
// note's. Anything else is the page's one 404.
import type { Readable } from 'node:stream';
import { findAttachment, type AttachmentRef } from '../attachments/attachments.repository.js';
import { attachmentStorage } from '../attachments/attachments.service.js';
import type { AppContext } from '../context.js';
import { notFound } from '../errors.js';
import { isUuid } from '../shared/ids.js';
import { requireCustomerLink } from './customer-links.js';

export async function openPortalAttachment(
  ctx: AppContext,
  token: string,
  attachmentId: string,
): Promise<{ attachment: AttachmentRef & { sha256: string }; stream: Readable }> {
  const link = await requireCustomerLink(ctx, token);
  if (!isUuid(attachmentId)) throw notFound('Page');
  const attachment = await findAttachment(ctx.db.pool, attachmentId);
  if (!attachment || attachment.ticketId !== link.ticketId) throw notFound('Page');
  if (attachment.ticketMessageId) {
    const { rows } = await ctx.db.pool.query<{ kind: string }>(
      `SELECT kind::text AS kind FROM ticket_messages WHERE id = $1 AND ticket_id = $2`,
      [attachment.ticketMessageId, link.ticketId],
    );
    if (rows[0]?.kind !== 'reply' && rows[0]?.kind !== 'customer') throw notFound('Page');
  }
  return { attachment, stream: attachmentStorage(ctx).get(attachment.sha256) };
}

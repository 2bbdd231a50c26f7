// The files of an inbound mail (attachments and inline images alike), stored on the message the
// mail became, inside the inbound transaction. The limits are the uploads' (limits.ts), but a mail
// is never refused for its files: what cannot be kept (too big, a program, one too many) is
// listed on the message by name, size and reason, and the raw mail in inbound_mails keeps every
// byte. mailparser has the parts in memory already (the raw mail is ≤ 30 MB), so each is judged
// whole before a byte of it is stored.
import type { ParsedMail } from 'mailparser';
import type pg from 'pg';
import type { AppContext } from '../context.js';
import {
  insertAttachments,
  insertRefusals,
  type AttachmentRef,
  type NewAttachment,
  type NewRefusal,
} from './attachments.repository.js';
import { attachmentStorage } from './attachments.service.js';
import { sanitizeFileName, sniffType, SNIFF_BYTES } from './file-types.js';
import { countRefusal, limitsOf, sizeRefusal, typeRefusal, type AttachmentLimits } from './limits.js';

export interface MailFile {
  /** As the mail names it; inline images often have none. */
  fileName?: string | null;
  contentType: string;
  content: Buffer;
  /** An inline image (Content-Disposition: inline / multipart/related): named after its place. */
  inline: boolean;
}

export interface MailFilesResult {
  stored: AttachmentRef[];
  refused: Array<{ fileName: string; size: number; reason: string; detail: string }>;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
  'message/rfc822': '.eml',
};

/**
 * mailparser names a nameless part itself (attachment-2.png); should a part still come without
 * one, it gets a name a moderator can read: inline-image-2.png, attachment-3.pdf.
 */
function nameOf(file: MailFile, index: number): string {
  if (file.fileName?.trim()) return sanitizeFileName(file.fileName);
  const ext = EXTENSIONS[file.contentType.toLowerCase()] ?? '';
  return `${file.inline ? 'inline-image' : 'attachment'}-${index + 1}${ext}`;
}

async function* once(content: Buffer): AsyncIterable<Buffer> {
  yield content;
}

export async function storeMailFiles(
  ctx: AppContext,
  client: pg.ClientBase,
  target: { ticketId: string; ticketMessageId: string | null },
  files: MailFile[],
  limits: AttachmentLimits = limitsOf(ctx),
): Promise<MailFilesResult> {
  const keep: NewAttachment[] = [];
  const refuse: NewRefusal[] = [];
  let total = 0;
  for (const [i, file] of files.entries()) {
    const fileName = nameOf(file, i);
    const declaredType = (file.contentType || 'application/octet-stream').slice(0, 255);
    const size = file.content.length;
    const sniffed = await sniffType(file.content.subarray(0, SNIFF_BYTES));
    const refusal =
      countRefusal(limits, keep.length, fileName) ??
      sizeRefusal(limits, size, total, fileName) ??
      typeRefusal(sniffed, fileName);
    if (refusal) {
      refuse.push({
        ...target,
        fileName,
        declaredType,
        size,
        reason: refusal.reason,
        detail: refusal.message,
        source: 'email',
      });
      continue;
    }
    const blob = await attachmentStorage(ctx).put(once(file.content), { client });
    total += size;
    keep.push({
      ...target,
      fileName,
      declaredType,
      contentType: sniffed.type,
      size,
      sha256: blob.sha256,
      source: 'email',
    });
  }
  const stored = await insertAttachments(client, keep);
  await insertRefusals(client, refuse);
  return {
    stored,
    refused: refuse.map((r) => ({ fileName: r.fileName, size: r.size, reason: r.reason, detail: r.detail })),
  };
}

/** mailparser's parts as mail files: every attachment and every inline (cid:) image. */
export function mailFilesOf(parsed: Pick<ParsedMail, 'attachments'>): MailFile[] {
  return (parsed.attachments ?? []).map((a) => ({
    fileName: a.filename ?? null,
    contentType: a.contentType || 'application/octet-stream',
    content: a.content,
    inline: a.contentDisposition === 'inline' || a.related === true || Boolean(a.cid),
  }));
}

// The attachment limits and the type rule, in one place: which file of a message is refused and
// with what words. Every entry point asks these: an upload (form, REST, panel, customer page)
// turns a refusal into a 413/415 and stores nothing; an inbound mail lists it on its message.
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { Sniffed } from './file-types.js';

export interface AttachmentLimits {
  maxBytes: number;
  maxFiles: number;
  maxTotalBytes: number;
}

export const limitsOf = (ctx: AppContext): AttachmentLimits => ({
  maxBytes: ctx.config.ATTACHMENT_MAX_BYTES,
  maxFiles: ctx.config.ATTACHMENT_MAX_FILES,
  maxTotalBytes: ctx.config.ATTACHMENT_MAX_TOTAL_BYTES,
});

export type RefusalReason = 'too_many' | 'too_large' | 'total_too_large' | 'executable';

export interface Refusal {
  reason: RefusalReason;
  /** For people: names the file and the setting. */
  message: string;
}

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

/** Before a file starts: `count` files of this message are stored already. */
export function countRefusal(limits: AttachmentLimits, count: number, fileName: string): Refusal | null {
  if (count < limits.maxFiles) return null;
  return {
    reason: 'too_many',
    message: `at most ${limits.maxFiles} files per message (ATTACHMENT_MAX_FILES); "${fileName}" is one too many`,
  };
}

/** While (or once) a file's bytes are known: `size` so far, `totalBefore` of the earlier files. */
export function sizeRefusal(
  limits: AttachmentLimits,
  size: number,
  totalBefore: number,
  fileName: string,
): Refusal | null {
  if (size > limits.maxBytes) {
    return {
      reason: 'too_large',
      message: `"${fileName}" is larger than ${mb(limits.maxBytes)} (ATTACHMENT_MAX_BYTES)`,
    };
  }
  if (totalBefore + size > limits.maxTotalBytes) {
    return {
      reason: 'total_too_large',
      message: `the files of one message may total at most ${mb(limits.maxTotalBytes)} (ATTACHMENT_MAX_TOTAL_BYTES)`,
    };
  }
  return null;
}

/** Programs are the one type refused; everything else is stored and served safely (file-types.ts). */
export function typeRefusal(sniffed: Sniffed, fileName: string): Refusal | null {
  if (!sniffed.executable) return null;
  return {
    reason: 'executable',
    message: `"${fileName}" is a program (${sniffed.type}); executable files are not accepted`,
  };
}

/** An upload's refusal as the HTTP error: 415 for the type, 413 for the rest, under `attachments`. */
export function refusalError(r: Refusal): AppError {
  const fields = { attachments: [r.message] };
  return r.reason === 'executable'
    ? new AppError({ code: 'unsupported_media_type', status: 415, message: r.message, fields })
    : new AppError({ code: 'payload_too_large', status: 413, message: r.message, fields });
}

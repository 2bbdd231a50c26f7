// HTTP glue for uploads on an existing endpoint (POST /contact/submit, POST /contact/{id}/messages,
// the panel workspace's message route, the customer page's reply): a multipart request is read
// here — fields into req.body, files streamed into an open MessageUpload — and the route then
// runs exactly as for JSON or a urlencoded form, finishing with `req.upload.commit…` or by
// handing `req.upload.files` to its service (MessageUpload.transaction). Any other body goes to
// `otherwise` (the route's usual content-type guard).
// A failure while reading (limit, refused type, hang-up) is kept on req.upload.error for the route
// to throw inside its own error handling (so a plain HTML form gets its HTML error page). An upload
// the route never commits (an error, the honeypot) is rolled back when the response ends.
import type { Request, RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import type { SubmissionRow, SubmitInput } from '../contact/contact.schema.js';
import type { SubmitMeta } from '../contact/submit-writer.js';
import { clientIp } from '../http/client-ip.js';
import { enforceSubmitRateLimit } from '../contact/rate-limit.js';
import type { AttachmentRef } from './attachments.repository.js';
import { limitsOf, MessageUpload, type AttachmentSource } from './attachments.service.js';
import { parseMultipart } from './multipart.js';

export const ATTACHMENTS_FIELD = 'attachments';

export interface RequestUpload {
  files: MessageUpload;
  /** The error that stopped reading the body, if any: the route throws it. */
  error: unknown;
  /** Set by the route after a successful commit: what the answer lists. */
  committed: AttachmentRef[] | null;
  throwIfFailed(): void;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Present on a multipart request to an upload-taking route (upload.middleware.ts). */
      upload?: RequestUpload;
    }
  }
}

export interface ReceiveOptions {
  /** The route's handler for any body that is not multipart (its usual content-type guard). */
  otherwise: RequestHandler;
  source?: AttachmentSource;
  /**
   * Runs before a byte of the body is read (a refusal here costs the client its upload, not us a
   * connection): the submit's rate limit by default; a customer page checks its link.
   */
  beforeRead?: (req: Request) => Promise<void>;
  /** Runs before each file is stored, with the fields read so far (the customer page's CSRF token). */
  beforeFile?: (fields: Record<string, string | string[]>, req: Request) => void | Promise<void>;
}

export function receiveUploads(ctx: AppContext, opts: ReceiveOptions): RequestHandler {
  return async (req, res, next) => {
    if (!req.is('multipart/form-data')) return opts.otherwise(req, res, next);
    const limits = limitsOf(ctx);
    const files = new MessageUpload(ctx, opts.source ?? 'form', limits);
    const upload: RequestUpload = {
      files,
      error: null,
      committed: null,
      throwIfFailed() {
        if (this.error) throw this.error;
      },
    };
    req.upload = upload;
    // Whatever the route did not commit is rolled back once the answer is out (or the client left).
    res.once('close', () => void files.abort());
    try {
      // Before a byte of the body is read: a rate-limited client does not get to upload first.
      await (opts.beforeRead ? opts.beforeRead(req) : enforceSubmitRateLimit(ctx, clientIp(req)));
      const parsed = await parseMultipart(req, {
        fileFields: [ATTACHMENTS_FIELD],
        maxFileBytes: limits.maxBytes,
        maxFiles: limits.maxFiles,
        drainBytes: limits.maxTotalBytes + 1024 * 1024,
        onFile: async (f, fieldsSoFar) => {
          await opts.beforeFile?.(fieldsSoFar, req);
          await files.addFile({ fileName: f.fileName, declaredType: f.declaredType, stream: f.stream });
        },
      });
      req.body = parsed.fields;
    } catch (err) {
      upload.error = err;
      req.body = {};
      await files.abort();
      // The rest of the body was not read: close the connection after the answer.
      if (!req.complete) res.set('Connection', 'close');
    }
    if (req.destroyed && !req.complete) return; // the client is gone: nobody to answer
    next();
  };
}

/** The submission with its files: ticket, attachment rows and mails in one COMMIT. */
export async function commitUploadedSubmission(
  upload: RequestUpload,
  input: SubmitInput,
  meta: SubmitMeta,
): Promise<SubmissionRow> {
  const { ticket, attachments } = await upload.files.commitSubmission(input, meta);
  upload.committed = attachments;
  return ticket;
}

export interface SubmittedAttachment {
  id: string;
  file_name: string;
  content_type: string;
  size: number;
}

/** The answer of a submit: the public ticket, plus `attachments` when files came with it. */
export function withAttachments<T extends object>(
  upload: RequestUpload | undefined,
  submission: T,
): T & { attachments?: SubmittedAttachment[] } {
  if (!upload?.committed) return submission;
  return {
    ...submission,
    attachments: upload.committed.map((a) => ({
      id: a.id,
      file_name: a.fileName,
      content_type: a.contentType,
      size: a.size,
    })),
  };
}

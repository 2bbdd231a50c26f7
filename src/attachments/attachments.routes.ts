// GET /api/v1/attachments/{id} (Bearer, staff) and the same handler for the panel's
// /admin/attachments/:id (session). Files are served so that a browser can never run them: the
// stored (sniffed) type, nosniff, a sandboxing CSP, and `attachment` for all but images and PDF.
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Actor } from '../auth/actor.js';
import { requireStaffRole } from '../auth/auth.middleware.js';
import type { AppContext } from '../context.js';
import { openAttachment } from './attachments.service.js';
import { contentDisposition, servingOf } from './file-types.js';

export const ATTACHMENT_CSP = "sandbox; default-src 'none'";

/** The download; `actorOf` says who is asking (Bearer token or panel session). */
export function attachmentDownloadHandler(
  ctx: AppContext,
  actorOf: (req: Request) => Actor | null | undefined,
): RequestHandler<{ id: string }> {
  return async (req, res: Response) => {
    const { attachment, stream } = await openAttachment(ctx, actorOf(req) ?? null, req.params.id);
    const { contentType, inline } = servingOf(attachment.contentType);
    res.status(200).set({
      'Content-Type': contentType,
      'Content-Length': String(attachment.size),
      'Content-Disposition': contentDisposition(inline, attachment.fileName),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': ATTACHMENT_CSP,
      'Cross-Origin-Resource-Policy': 'same-origin',
      // Staff-only content: never kept by a shared cache; no-transform keeps the compressor off.
      'Cache-Control': 'private, no-store, no-transform',
      ETag: `"${attachment.sha256}"`,
    });
    if (req.method === 'HEAD') {
      stream.destroy();
      return void res.end();
    }
    try {
      await pipeline(stream, res);
    } catch (err) {
      // The client went away (nothing to answer), or storage failed mid-body (headers are sent:
      // the connection is cut so the client sees a short file, not a complete-looking one).
      if (!res.writableFinished) res.destroy();
      if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        req.log?.warn({ err, attachmentId: attachment.id }, 'attachment download failed');
      }
    }
  };
}

export function createAttachmentRouter(ctx: AppContext): Router {
  const router = Router();
  router.get(
    '/:id',
    requireStaffRole,
    attachmentDownloadHandler(ctx, (req) => req.actor),
  );
  return router;
}

// REST for inbound mail.
//   POST /api/v1/inbound/mime          a raw RFC 822 message from a provider that forwards inbound
//                                      mail over HTTP; Bearer INBOUND_HTTP_SECRET (not an API token)
//   GET  /api/v1/inbound/mails         admins: stored mails (?status=failed)
//   POST /api/v1/inbound/mails/{id}/retry   admins: process a failed mail again
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type RequestHandler } from 'express';
import { requireAdminRole } from '../auth/auth.middleware.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { listInboundMails, retryInboundMail, type InboundMailSummary } from './inbound.service.js';
import { storeInboundMail } from './inbound.store.js';

export const INBOUND_MIME_LIMIT = '25mb';
const MIME_TYPES = ['message/rfc822', 'text/plain'];

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer INBOUND_HTTP_SECRET, compared in constant time (hashes: equal lengths whatever was sent). */
function requireInboundSecret(ctx: AppContext): RequestHandler {
  return (req, _res, next) => {
    const secret = ctx.config.INBOUND_HTTP_SECRET;
    // Not configured: the endpoint is off, and no secret (not even an empty one) opens it.
    if (!secret) {
      return next(new AppError({ code: 'not_found', status: 404, message: 'Inbound mail over HTTP is not enabled' }));
    }
    const given = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
    if (!given || !timingSafeEqual(digest(given), digest(secret))) {
      return next(
        new AppError({
          code: 'unauthenticated',
          status: 401,
          message: 'Authorization: Bearer <INBOUND_HTTP_SECRET> required',
          headers: { 'WWW-Authenticate': 'Bearer realm="contactdesk-inbound"' },
        }),
      );
    }
    next();
  };
}

/**
 * Mounted at /api/v1/inbound/mime BEFORE the API's token authentication: its Bearer value is the
 * inbound secret, which the API token check would reject.
 */
export function createInboundMimeRouter(ctx: AppContext): Router {
  const router = Router();
  router.post(
    '/',
    requireInboundSecret(ctx),
    // The raw parser on this route only: everywhere else the API takes 64 kB of JSON.
    express.raw({ type: MIME_TYPES, limit: INBOUND_MIME_LIMIT }),
    async (req, res) => {
      if (!Buffer.isBuffer(req.body)) {
        throw new AppError({
          code: 'unsupported_media_type',
          status: 415,
          message: 'Send the raw message as message/rfc822 (or text/plain)',
        });
      }
      if (req.body.length === 0) {
        throw new AppError({ code: 'validation_error', status: 400, message: 'The message is empty' });
      }
      // 202 only after COMMIT: the provider may forget the mail once it has our answer.
      const { id } = await storeInboundMail(ctx, { raw: req.body, channel: 'http' });
      res.status(202).json({ id, status: 'received' });
    },
  );
  return router;
}

export const toInboundMailJson = (m: InboundMailSummary) => ({
  id: m.id,
  channel: m.channel,
  status: m.status,
  outcome: m.outcome,
  error: m.error,
  attempts: m.attempts,
  message_id: m.messageId,
  envelope_from: m.envelopeFrom,
  size: m.size,
  ticket_id: m.ticketId,
  ticket_message_id: m.ticketMessageId,
  received_at: m.receivedAt.toISOString(),
  processed_at: m.processedAt?.toISOString() ?? null,
});

/** Mounted at /api/v1/inbound inside the API (token-authenticated, admins only). */
export function createInboundAdminRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/mails', requireAdminRole, async (req, res) => {
    const { mails, next } = await listInboundMails(ctx, req.actor!, req.query as Record<string, string>);
    res.json({ mails: mails.map(toInboundMailJson), next });
  });
  router.post('/mails/:id/retry', requireAdminRole, async (req: Request<{ id: string }>, res) => {
    const result = await retryInboundMail(ctx, req.actor!, req.params.id);
    res.status(202).json(result);
  });
  return router;
}

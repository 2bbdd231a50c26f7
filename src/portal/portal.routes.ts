// /t: the customer's ticket page and "find my tickets" (docs/portal.md). Parse → portal service →
// HTML. Plain forms that POST and redirect (303) back to the page, so it works without JavaScript.
// Every answer: a strict CSP (nothing but this origin's forms and the page's own inline style, by
// hash), no caching, no Referer (the URL holds the token), not indexed. Errors are pages, not JSON.
import express, { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { clientIp } from '../http/client-ip.js';
import { pickLanguage, type Language } from '../i18n/language.js';
import { pipeline } from 'node:stream/promises';
import { ATTACHMENT_CSP } from '../attachments/attachments.routes.js';
import { contentDisposition, servingOf } from '../attachments/file-types.js';
import { requestTicketLinks } from './find-tickets.js';
import { openPortalAttachment } from './portal-files.js';
import { pt } from './portal.i18n.js';
import {
  renderFindPage,
  renderMessagePage,
  renderNotFound,
  renderRatedPage,
  renderTicketPage,
  STYLE_HASH,
  type PortalNotice,
} from './portal.pages.js';
import {
  checkReplyForm,
  markSolved,
  postPortalReply,
  rateFromForm,
  rateFromLink,
  viewTicket,
} from './portal.service.js';
import { receiveUploads } from '../attachments/upload.middleware.js';
import { requireCustomerLink } from './customer-links.js';
import { ratingInputSchema } from './ratings.js';

const CSP = [
  "default-src 'none'",
  `style-src ${STYLE_HASH}`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const NOTICES: readonly PortalNotice[] = ['sent', 'followup', 'solved', 'rated'];

type TokenRequest = Request<{ token: string; score?: string }>;

/** ?lang= wins (a link to switch), then the ticket's language, then Accept-Language. */
const languageOf = (req: Request, ticketLanguage?: string): Language =>
  pickLanguage(typeof req.query.lang === 'string' ? req.query.lang : ticketLanguage, req.get('accept-language'));

const meta = (req: Request) => ({ requestId: req.id });

/** A known error as the page a person should see; anything else goes to the error middleware. */
function sendErrorPage(req: Request, res: Response, err: unknown, backTo?: string): void {
  if (!(err instanceof AppError)) throw err;
  const lang = languageOf(req);
  if (err.headers) res.set(err.headers);
  if (err.status === 404) {
    res.status(404).type('html').send(renderNotFound(lang));
    return;
  }
  const text =
    err.status === 429
      ? pt(lang, 'tooMany')
      : err.code === 'csrf_failed'
        ? pt(lang, 'expired')
        : err.code === 'not_resolved'
          ? pt(lang, 'notResolved')
          : err.code === 'rating_locked'
            ? pt(lang, 'locked')
            : pt(lang, 'invalid', {
                problems:
                  Object.values(err.fields ?? {})
                    .flat()
                    .join('; ') || err.message,
              });
  res
    .status(err.status)
    .type('html')
    .send(renderMessagePage(lang, text, backTo));
}

export function createPortalRouter(ctx: AppContext): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': CSP,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex, nofollow',
    });
    next();
  });
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 20 }));

  // Fixed paths before /:token.
  router.get('/find', (req, res) => {
    res.type('html').send(renderFindPage(languageOf(req)));
  });

  router.post('/find', async (req, res) => {
    const lang = pickLanguage(req.body?.lang, req.get('accept-language'));
    try {
      await requestTicketLinks(ctx, { email: req.body?.email }, clientIp(req));
    } catch (err) {
      if (err instanceof AppError && err.code === 'validation_error') {
        const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : '';
        res
          .status(400)
          .type('html')
          .send(
            renderFindPage(lang, {
              error: pt(lang, 'invalid', { problems: err.fields?.email?.join('; ') ?? '' }),
              email,
            }),
          );
        return;
      }
      sendErrorPage(req, res, err, '/t/find');
      return;
    }
    // The same page for every address: known, unknown, or with nothing open.
    res.type('html').send(renderFindPage(lang, { sent: true }));
  });

  router.get('/:token', async (req: TokenRequest, res) => {
    try {
      const view = await viewTicket(ctx, req.params.token);
      const done = NOTICES.find((n) => n === req.query.done);
      // Only something shaped like a ticket number is echoed (escaped anyway): no text injection by link.
      const followUpNumber =
        typeof req.query.n === 'string' && /^[A-Za-z0-9-]{1,50}$/.test(req.query.n) ? req.query.n : undefined;
      res.type('html').send(
        renderTicketPage(languageOf(req, view.ticket.language), req.params.token, view, ctx.clock.now(), {
          notice: done,
          followUpNumber,
        }),
      );
    } catch (err) {
      sendErrorPage(req, res, err);
    }
  });

  // The reply form is multipart (files in `attachments`); a plain urlencoded post still works.
  const replyUploads = receiveUploads(ctx, {
    otherwise: (_req, _res, next) => next(),
    source: 'portal',
    // A dead link reads no body at all; a forged form (no CSRF token before the files) stores no byte.
    beforeRead: async (req) => void (await requireCustomerLink(ctx, String(req.params.token))),
    beforeFile: (fields, req) => checkReplyForm(ctx, String(req.params.token), fields.csrf),
  });

  router.post('/:token/reply', replyUploads, async (req: TokenRequest, res) => {
    const back = `/t/${encodeURIComponent(req.params.token)}`;
    try {
      req.upload?.throwIfFailed();
      const result = await postPortalReply(ctx, req.params.token, req.body ?? {}, meta(req), req.upload?.files);
      const followUp = result.outcome === 'follow_up' || result.outcome === 'new_ticket';
      res.redirect(
        303,
        followUp ? `${back}?done=followup&n=${encodeURIComponent(result.ticketNumber)}` : `${back}?done=sent`,
      );
    } catch (err) {
      sendErrorPage(req, res, err, back);
    }
  });

  router.post('/:token/solve', async (req: TokenRequest, res) => {
    const back = `/t/${encodeURIComponent(req.params.token)}`;
    try {
      await markSolved(ctx, req.params.token, req.body ?? {}, meta(req));
      res.redirect(303, `${back}?done=solved`);
    } catch (err) {
      sendErrorPage(req, res, err, back);
    }
  });

  // A file of the public thread, served like the staff download: its sniffed type, nosniff, a
  // sandboxing CSP, `attachment` unless it is an image or a PDF.
  router.get('/:token/files/:id', async (req: Request<{ token: string; id: string }>, res) => {
    let opened;
    try {
      opened = await openPortalAttachment(ctx, req.params.token, req.params.id);
    } catch (err) {
      sendErrorPage(req, res, err);
      return;
    }
    const { attachment, stream } = opened;
    const { contentType, inline } = servingOf(attachment.contentType);
    res.status(200).set({
      'Content-Type': contentType,
      'Content-Length': String(attachment.size),
      'Content-Disposition': contentDisposition(inline, attachment.fileName),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': ATTACHMENT_CSP,
      'Cache-Control': 'private, no-store, no-transform',
    });
    try {
      await pipeline(stream, res);
    } catch {
      // The customer went away, or storage failed mid-body: cut the connection (a short file, not a whole-looking one).
      if (!res.writableFinished) res.destroy();
    }
  });

  // The one-click answers in the resolution mail: record, then offer the comment form.
  router.get('/:token/rate/:score', async (req: TokenRequest, res) => {
    const back = `/t/${encodeURIComponent(req.params.token)}`;
    try {
      const score = req.params.score;
      if (score !== 'good' && score !== 'bad')
        throw new AppError({ code: 'not_found', status: 404, message: 'Page not found' });
      const { rating, csrf, language } = await rateFromLink(ctx, req.params.token, score, meta(req));
      res.type('html').send(renderRatedPage(languageOf(req, language), req.params.token, csrf, rating));
    } catch (err) {
      sendErrorPage(req, res, err, back);
    }
  });

  router.post('/:token/rate', async (req: TokenRequest, res) => {
    const back = `/t/${encodeURIComponent(req.params.token)}`;
    try {
      const body = req.body ?? {};
      const parsed = ratingInputSchema.safeParse({
        score: body.score,
        comment: typeof body.comment === 'string' && body.comment.trim() ? body.comment.trim() : undefined,
      });
      if (!parsed.success)
        throw new AppError({ code: 'validation_error', status: 400, message: parsed.error.issues[0]!.message });
      await rateFromForm(ctx, req.params.token, { csrf: body.csrf, ...parsed.data }, meta(req));
      res.redirect(303, `${back}?done=rated`);
    } catch (err) {
      sendErrorPage(req, res, err, back);
    }
  });

  return router;
}

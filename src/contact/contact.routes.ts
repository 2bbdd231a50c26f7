// REST entry points of the contact feature: parse → service → shape. No rules here.
import { randomInt, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context.js';
import { toAppError } from '../errors.js';
import { clientIp } from '../http/client-ip.js';
import { requireJsonOrForm } from '../http/validate.js';
import { parseInput } from '../shared/input.js';
import { submitInputSchema, TICKET_CATEGORIES, toPublicSubmission, type PublicSubmission } from './contact.schema.js';
import { submitContact } from './contact.service.js';
import { enforceSubmitRateLimit } from './rate-limit.js';
import { utcDay } from '../shared/text.js';
import { formatTicketNumber } from './ticket-number.js';
import { commitUploadedSubmission, receiveUploads, withAttachments } from '../attachments/upload.middleware.js';
import { formRedirect, renderFormError, renderFormThanks, wantsHtml, type PageOptions } from './form-pages.js';
import { findReplay, IDEMPOTENCY_HEADER, idempotencyKeyOf, isKeyTaken, requestHash } from './idempotency.js';
import { AppError } from '../errors.js';
import { translateFields } from '../i18n/field-messages.js';
import { fromAcceptLanguage, pickLanguage } from '../i18n/language.js';

export function createPublicContactRouter(ctx: AppContext): Router {
  const router = Router();
  const honeypot = ctx.config.HONEYPOT_FIELD;

  // multipart/form-data (files in `attachments`) is read by receiveUploads; JSON and forms as before.
  router.post('/submit', receiveUploads(ctx, { otherwise: requireJsonOrForm() }), async (req: Request, res: Response) => {
    const html = wantsHtml(req);
    // The visitor's language for the answer (pages, field messages): the form's lang, else the browser's.
    const lang = pickLanguage((req.body as Record<string, unknown> | undefined)?.lang, req.get('accept-language'));
    const page: PageOptions = { lang, siteName: ctx.config.SITE_NAME };
    try {
      const ip = clientIp(req);
      const idempotencyKey = idempotencyKeyOf(req.get(IDEMPOTENCY_HEADER));
      // Checked before anything is counted or written: a refused redirect_to leaves no ticket.
      const redirectTo = formRedirect(req, ctx.config.ALLOWED_ORIGINS);
      // A limit / type / hang-up while the files streamed in: answered like any other error.
      req.upload?.throwIfFailed();
      // With files, the limit was checked before the body was read (receiveUploads).
      if (!req.upload) await enforceSubmitRateLimit(ctx, ip);
      // A JSON array is not a form: let the schema say so (`fields._`) instead of "name is required".
      if (Array.isArray(req.body)) parseInput(submitInputSchema, req.body);
      const body: Record<string, unknown> = req.body && typeof req.body === 'object' ? { ...req.body } : {};
      delete body.redirect_to;
      const trap = body[honeypot];
      // Anything but an empty (or blank) string counts as filled: bots also send numbers, arrays...
      if (trap !== undefined && !(typeof trap === 'string' && trap.trim() === '')) {
        // A bot filled the invisible field: answer like a success, store and send nothing.
        req.log.info({ honeypot }, 'honeypot submission dropped');
        return respond(res, { html, page, redirectTo }, decoy(ctx, body));
      }
      delete body[honeypot];
      const input = parseInput(submitInputSchema, body);
      input.lang ??= fromAcceptLanguage(req.get('accept-language')) ?? 'en';
      const actor = req.actor ?? null;
      // A retry / double click with the same Idempotency-Key answers with the first one's ticket.
      const idempotency = idempotencyKey ? { key: idempotencyKey, hash: requestHash(input, actor?.id ?? null) } : null;
      const replay = async () => {
        const first = idempotency && (await findReplay(ctx, idempotency));
        if (first) res.set('Idempotent-Replayed', 'true');
        return first && respond(res, { html, page, redirectTo }, toPublicSubmission(first));
      };
      const meta = { actor, ip, userAgent: req.get('user-agent') ?? null, requestId: req.id, idempotency };
      // No lookup first (the common case, a new key, costs nothing extra): a known key fails the
      // ticket's INSERT on the key's primary key, and the earlier ticket is the answer. An expired
      // key is removed by findReplay, and the submit is tried once more.
      const write = () =>
        // With files: ticket, files and mails in one transaction of their own (not the batcher).
        req.upload ? commitUploadedSubmission(req.upload, input, meta) : submitContact(ctx, input, meta);
      let ticket;
      try {
        ticket = await write().catch(async (err: unknown) => {
          if (!isKeyTaken(err)) throw err;
          if (await replay()) return null;
          return write();
        });
      } catch (err) {
        if (isKeyTaken(err) && (await replay())) return;
        throw err;
      }
      if (!ticket) return;
      req.log.info({ ticketId: ticket.id, ticketNumber: ticket.ticketNumber }, 'contact submitted');
      return respond(res, { html, page, redirectTo }, withAttachments(req.upload, toPublicSubmission(ticket)));
    } catch (err) {
      const appError = toAppError(err);
      if (!appError) throw err;
      // Field messages in the visitor's language (the widget shows them next to each field).
      const visitor = typeof (req.body as Record<string, unknown> | undefined)?.lang === 'string';
      if (!html) throw lang === 'en' && !visitor ? appError : translated(appError, lang);
      // A plain HTML form gets a readable page, with the same status code.
      if (appError.headers) res.set(appError.headers);
      res.status(appError.status).type('html').send(renderFormError(appError, page));
    }
  });

  return router;
}

interface Answer {
  html: boolean;
  page: PageOptions;
  /** redirect_to of a plain form: the site's own thank-you page, told the ticket number. */
  redirectTo: URL | null;
}

function respond(res: Response, a: Answer, submission: PublicSubmission) {
  if (a.html && a.redirectTo) {
    a.redirectTo.searchParams.set('ticket', String(submission.ticket_number));
    return res.redirect(303, a.redirectTo.href);
  }
  res.status(201);
  if (a.html) return res.type('html').send(renderFormThanks(submission, a.page));
  return res.json(submission);
}

function translated(err: AppError, lang: Parameters<typeof translateFields>[0]): AppError {
  if (!err.fields) return err;
  const { code, status, message, headers } = err;
  return new AppError({ code, status, message, headers, fields: translateFields(lang, err.fields, true), cause: err });
}

function decoy(ctx: AppContext, body: Record<string, unknown>): PublicSubmission {
  const now = ctx.clock.now().toISOString();
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 255) : '');
  return {
    id: randomUUID(),
    ticket_number: formatTicketNumber(utcDay(ctx.clock.now()), randomInt(1, 200)),
    name: text(body.name),
    email: text(body.email),
    subject: text(body.subject),
    message: typeof body.message === 'string' ? body.message.slice(0, 20_000) : '',
    category: (TICKET_CATEGORIES as readonly unknown[]).includes(body.category)
      ? (body.category as PublicSubmission['category'])
      : 'general',
    status: 'pending',
    created_at: now,
    updated_at: now,
  };
}

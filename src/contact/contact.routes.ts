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
import { renderFormError, renderFormThanks, wantsHtml } from './form-pages.js';

export function createPublicContactRouter(ctx: AppContext): Router {
  const router = Router();
  const honeypot = ctx.config.HONEYPOT_FIELD;

  router.post('/submit', requireJsonOrForm(), async (req: Request, res: Response) => {
    const html = wantsHtml(req);
    try {
      const ip = clientIp(req);
      await enforceSubmitRateLimit(ctx, ip);
      // A JSON array is not a form: let the schema say so (`fields._`) instead of "name is required".
      if (Array.isArray(req.body)) parseInput(submitInputSchema, req.body);
      const body: Record<string, unknown> = req.body && typeof req.body === 'object' ? { ...req.body } : {};
      const trap = body[honeypot];
      // Anything but an empty (or blank) string counts as filled: bots also send numbers, arrays...
      if (trap !== undefined && !(typeof trap === 'string' && trap.trim() === '')) {
        // A bot filled the invisible field: answer like a success, store and send nothing.
        req.log.info({ honeypot }, 'honeypot submission dropped');
        return respond(res, html, decoy(ctx, body));
      }
      delete body[honeypot];
      const input = parseInput(submitInputSchema, body);
      const ticket = await submitContact(ctx, input, {
        actor: req.actor ?? null,
        ip,
        userAgent: req.get('user-agent') ?? null,
        requestId: req.id,
      });
      req.log.info({ ticketId: ticket.id, ticketNumber: ticket.ticketNumber }, 'contact submitted');
      return respond(res, html, toPublicSubmission(ticket));
    } catch (err) {
      const appError = toAppError(err);
      if (!html || !appError) throw err;
      // A plain HTML form gets a readable page, with the same status code.
      if (appError.headers) res.set(appError.headers);
      res.status(appError.status).type('html').send(renderFormError(appError));
    }
  });

  return router;
}

function respond(res: Response, html: boolean, submission: PublicSubmission) {
  res.status(201);
  if (html) return res.type('html').send(renderFormThanks(submission));
  return res.json(submission);
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

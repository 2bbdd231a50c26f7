// The customer's ticket page, as use cases: read the ticket through its link, reply, mark it
// solved, rate it. The link is the customer's only credential: every use case starts from the
// token (customer-links.ts) and answers 404 for a bad one. Forms carry a CSRF token tied to the
// link (HMAC of the link id), checked before anything is written.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.js';
import { limitsOf } from '../attachments/limits.js';
import type { MessageUpload } from '../attachments/attachments.service.js';
import {
  addCustomerMessage,
  addCustomerMessageIn,
  type CustomerMessageInput,
  type CustomerMessageResult,
} from '../conversation/customer-message.js';
import { MESSAGE_MAX_LENGTH } from '../conversation/conversation.schema.js';
import { signingKey } from '../conversation/mail-signing.js';
import { loadThread, type ThreadMessage } from '../conversation/thread.repository.js';
import { applyChanges, lockTickets, statusChangeSet } from '../contact/ticket-changes.js';
import type { TicketStatus } from '../contact/ticket.fields.js';
import { ACTION_RULES } from '../contact/ticket-workflow.js';
import { inPgTransaction } from '../db/tx.js';
import { AppError, notFound } from '../errors.js';
import { CONTROL_CHARS } from '../shared/text.js';
import { requireCustomerLink, type CustomerLink } from './customer-links.js';
import { enforceLimits, replyWindows } from './portal-limits.js';
import { currentRating, rateTicket, type Rating, type RatingInput } from './ratings.js';

export interface PortalTicket {
  id: string;
  ticketNumber: string;
  subject: string;
  status: TicketStatus;
  language: string;
  resolvedAt: Date | null;
}

export interface PortalView {
  link: CustomerLink;
  ticket: PortalTicket;
  /** The public thread: the original message, replies and customer messages. Never notes. */
  thread: ThreadMessage[];
  rating: Rating | null;
  csrf: string;
  /** What the reply form may carry (the attachment limits, for its label). */
  upload: { maxFiles: number; maxSize: string };
}

export interface PortalMeta {
  requestId?: string | null;
}

/** The form token of a link's pages: valid for that link only, for as long as the link is. */
export function csrfTokenFor(ctx: AppContext, linkId: string): string {
  return createHmac('sha256', signingKey(ctx.config)).update(`portal-csrf:${linkId}`).digest('base64url');
}

function assertCsrf(ctx: AppContext, link: CustomerLink, given: unknown): void {
  const expected = Buffer.from(csrfTokenFor(ctx, link.id));
  const actual = Buffer.from(typeof given === 'string' ? given : '');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new AppError({ code: 'csrf_failed', status: 403, message: 'The form is out of date; reload the page' });
  }
}

async function loadTicket(ctx: AppContext, ticketId: string): Promise<PortalTicket & { name: string; email: string }> {
  const { rows } = await ctx.db.pool.query(
    `SELECT id, ticket_number, subject, status::text AS status, language::text AS language, resolved_at, name, email
     FROM contact_submissions WHERE id = $1`,
    [ticketId],
  );
  const r = rows[0];
  // The link outlived its ticket only for the moment of a concurrent delete: the same 404.
  if (!r) throw notFound('Page');
  return {
    id: r.id,
    ticketNumber: r.ticket_number,
    subject: r.subject,
    status: r.status,
    language: r.language,
    resolvedAt: r.resolved_at,
    name: r.name,
    email: r.email,
  };
}

/** Everything the ticket page shows. */
export async function viewTicket(ctx: AppContext, token: string): Promise<PortalView> {
  const link = await requireCustomerLink(ctx, token);
  const [ticket, thread, rating] = await Promise.all([
    loadTicket(ctx, link.ticketId),
    loadThread(ctx.db.pool, link.ticketId, { includeNotes: false }),
    currentRating(ctx.db.pool, link.ticketId),
  ]);
  // Belt and braces: the query leaves notes out; a note must never reach this page whatever changes there.
  const visible = (thread ?? []).filter((m) => m.kind !== 'note' && m.direction !== 'internal');
  const { name: _n, email: _e, ...publicTicket } = ticket;
  const { maxFiles, maxBytes } = limitsOf(ctx);
  const upload = { maxFiles, maxSize: `${Math.round((maxBytes / 1024 / 1024) * 10) / 10} MB` };
  return { link, ticket: publicTicket, thread: visible, rating, csrf: csrfTokenFor(ctx, link.id), upload };
}

function replyBody(raw: unknown): string {
  const body = typeof raw === 'string' ? raw.replace(/\r\n?/g, '\n').trim() : '';
  const problem = !body
    ? 'must not be empty'
    : body.length > MESSAGE_MAX_LENGTH
      ? `must be at most ${MESSAGE_MAX_LENGTH} characters`
      : CONTROL_CHARS.test(body)
        ? 'must not contain control characters'
        : null;
  if (problem) {
    throw new AppError({
      code: 'validation_error',
      status: 400,
      message: 'The request has invalid fields',
      fields: { body: [problem] },
    });
  }
  return body;
}

/** Before a file of a reply is stored: the link must be live and the form's CSRF token right. */
export async function checkReplyForm(ctx: AppContext, token: string, csrf: unknown): Promise<void> {
  assertCsrf(ctx, await requireCustomerLink(ctx, token), csrf);
}

/**
 * The customer's reply from the page: the same path as an email reply (addCustomerMessage,
 * channel 'portal'), so the reopen rules are the same: an open ticket gets the message, a
 * recently resolved one reopens, an old or archived one opens a linked follow-up ticket. With
 * `files` (a multipart form) they are stored on that message in the same transaction.
 */
export async function postPortalReply(
  ctx: AppContext,
  token: string,
  form: { csrf?: unknown; body?: unknown },
  meta: PortalMeta,
  files?: MessageUpload,
): Promise<CustomerMessageResult> {
  const link = await requireCustomerLink(ctx, token);
  assertCsrf(ctx, link, form.csrf);
  const body = replyBody(form.body);
  await enforceLimits(ctx, replyWindows(ctx, link.id), 'replies from this page');
  const ticket = await loadTicket(ctx, link.ticketId);
  const input: CustomerMessageInput = {
    ticketId: ticket.id,
    fromEmail: ticket.email,
    fromName: ticket.name,
    subject: ticket.subject,
    bodyText: body,
    bodyHtml: null,
    messageId: null,
    inboundMailId: null,
    channel: 'portal',
  };
  const customerMeta = { source: 'api' as const, requestId: meta.requestId };
  if (!files) return addCustomerMessage(ctx, input, customerMeta);
  return files.transaction({ actorId: null, ...customerMeta }, async (client, attach) => {
    const result = await addCustomerMessageIn(ctx, client, input, customerMeta);
    // A follow-up ticket gets the files on its own (original) message.
    await attach(result.ticketId, result.messageId);
    return result;
  });
}

/**
 * "Mark as solved": the customer resolves their own open ticket. No staff actor (resolved_by
 * stays empty), audited with source 'api'; the resolution mail (with the rating question) goes
 * out as for any resolution. An already solved ticket stays as it is.
 */
export async function markSolved(
  ctx: AppContext,
  token: string,
  form: { csrf?: unknown },
  meta: PortalMeta,
): Promise<{ changed: boolean }> {
  const link = await requireCustomerLink(ctx, token);
  assertCsrf(ctx, link, form.csrf);
  return inPgTransaction(ctx.db, { actorId: null, source: 'api', requestId: meta.requestId }, async (client) => {
    const [ticket] = await lockTickets(client, [link.ticketId]);
    if (!ticket) throw notFound('Page');
    if (!ACTION_RULES.resolve.from.includes(ticket.status)) return { changed: false };
    const now = ctx.clock.now();
    await applyChanges(client, now, [{ ticket, set: statusChangeSet(null, ticket.status, 'resolved', now) }]);
    return { changed: true };
  });
}

/** The one-click answer from the mail (no form, so no CSRF token: a GET records the score only). */
export async function rateFromLink(ctx: AppContext, token: string, score: RatingInput['score'], meta: PortalMeta) {
  const link = await requireCustomerLink(ctx, token);
  const rating = await rateTicket(ctx, link.ticketId, { score }, meta);
  // The thank-you page speaks the ticket's language, like the ticket page.
  const { language } = await loadTicket(ctx, link.ticketId);
  return { link, rating, language, csrf: csrfTokenFor(ctx, link.id) };
}

/** The rating form on the page (score and optional comment). */
export async function rateFromForm(
  ctx: AppContext,
  token: string,
  form: { csrf?: unknown } & RatingInput,
  meta: PortalMeta,
) {
  const link = await requireCustomerLink(ctx, token);
  assertCsrf(ctx, link, form.csrf);
  return { link, rating: await rateTicket(ctx, link.ticketId, form, meta), csrf: csrfTokenFor(ctx, link.id) };
}

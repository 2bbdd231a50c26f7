// Builds the complete message for one delivery: recipients, subject, Reply-To, Message-ID and the
// rendered bodies. Pure (no I/O besides the template cache), so tests can render directly.
//
// Header safety: user text reaches headers only as the display name in To/Reply-To and inside the
// Subject. Names with CR/LF are rejected at input, and here every header value is also stripped of
// line breaks and control characters, addresses must be one plain mailbox (else the message is
// refused), and they are handed to nodemailer as structured {name, address} objects that it
// encodes itself. No user text can start a header line or add a recipient.
import type { SendMailOptions } from 'nodemailer';
import { ticketPanelUrl } from '../shared/panel-links.js';
import addressparser from 'nodemailer/lib/addressparser';
import type { Config } from '../config.js';
import { replyAddressFor, signedMessageId } from '../conversation/mail-signing.js';
import type { EmailKind } from './mail.queue.js';
import { renderBody, type TemplateData } from './templates.js';
import type { SlaMailParts } from '../sla/sla.mail.js';
import { supportedLanguage } from '../i18n/language.js';
import { t } from '../i18n/strings.js';

/** The ticket fields the messages use. */
export interface MailTicket {
  id: string;
  ticketNumber: string;
  name: string;
  email: string;
  subject: string;
  message: string;
  category: string;
  resolutionNotes: string;
  /** The visitor's language (ticket.fields.ts `language`): the customer's mails use it. */
  language?: string;
}

export interface MailDelivery extends SlaMailParts {
  id: string;
  kind: EmailKind;
  recipient: string;
  /** The thread message a reply carries. */
  message?: { body: string; authorName: string } | null;
  /** The customer's ticket page and rating links (made at send time, src/portal/customer-links.ts). */
  portal?: { page: string; rateGood: string; rateBad: string } | null;
  /** "Find my tickets": the address's open tickets and their links. */
  links?: Array<{ ticketNumber: string; subject: string; url: string }>;
  /** A webhook_disabled mail: the endpoint it is about. */
  webhook?: { url: string; reason: string; disabledAt: Date | null } | null;
}

/** Where the mail sits in the ticket's thread (RFC 5322 In-Reply-To / References). */
export interface MailThread {
  /** Message-IDs of the thread so far, oldest first (the customer's and ours). */
  references: string[];
}

export interface MailAddress {
  name: string;
  address: string;
}

export type MessageConfig = Pick<
  Config,
  'MAIL_FROM' | 'SUPPORT_RESPONSE_TIME' | 'publicUrl' | 'INBOUND_ADDRESS' | 'MAIL_SIGNING_SECRET' | 'DATA_DIR'
>;

/** Mails a person writes; every other kind is automated and says so (RFC 3834). */
const HUMAN_KINDS: readonly EmailKind[] = ['ticket_reply'];
/** At most this many Message-IDs in References (RFC 5322 allows more; clients only need the chain's ends). */
const MAX_REFERENCES = 20;

export const EXCERPT_LENGTH = 500;

// CR, LF, the Unicode line/paragraph separators, NEL and every other control character.
const HEADER_UNSAFE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;

/** One header-safe line: line breaks and control characters become a single space. */
export function headerSafe(value: string): string {
  return value
    .replace(HEADER_UNSAFE, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** A message that can never be sent as it stands: retrying would not help. */
export class UnsendableMailError extends Error {}

// Deliberately plain: one @, no whitespace, controls, quotes, angle brackets or commas anywhere.
// (Addresses were validated at input; this is the mail layer's own last line of defence.)
const PLAIN_ADDRESS =
  /^[^\s@"<>,;:\\()[\]\u0000-\u001F\u007F-\u009F\u2028\u2029]+@[^\s@"<>,;:\\()[\]\u0000-\u001F\u007F-\u009F\u2028\u2029]+\.[^\s@"<>,;:\\()[\]\u0000-\u001F\u007F-\u009F\u2028\u2029]+$/;

/** One `<local@domain>` Message-ID with nothing that could break the header. */
const isMessageId = (id: string): boolean => /^<[^\s<>\u0000-\u001F\u007F]{1,900}>$/.test(id);

export function isPlainAddress(address: string): boolean {
  return PLAIN_ADDRESS.test(address);
}

/** A structured address; an address that is not one plain mailbox is refused, never "cleaned". */
export function mailbox(name: string, address: string): MailAddress {
  if (!isPlainAddress(address))
    throw new UnsendableMailError(`not a single plain email address: ${JSON.stringify(address)}`);
  return { name: headerSafe(name), address };
}

/** MAIL_FROM ("Name <addr>" or "addr") as a structured address. */
export function parseMailFrom(value: string): MailAddress {
  const parsed = addressparser(value, { flatten: true })[0];
  if (!parsed || !('address' in parsed) || !parsed.address) {
    throw new Error(`MAIL_FROM is not an email address: ${JSON.stringify(value)}`);
  }
  return mailbox(parsed.name ?? '', parsed.address);
}

/**
 * Deterministic, signed Message-ID: every attempt for one delivery sends the same id, so if a
 * retry ever repeats a message the SMTP server already accepted, mail stores and clients can
 * recognise the copy; and a reply's In-Reply-To proves which of our mails it answers.
 */
export function messageIdFor(config: MessageConfig, deliveryId: string, from: MailAddress): string {
  return signedMessageId(config, deliveryId, from.address.split('@')[1] || 'contactdesk.local');
}

export function ticketUrl(config: Pick<Config, 'publicUrl'>, ticketId: string): string {
  return ticketPanelUrl(config.publicUrl, ticketId);
}

function excerpt(message: string): { excerpt: string; truncated: boolean } {
  const chars = [...message];
  if (chars.length <= EXCERPT_LENGTH) return { excerpt: message, truncated: false };
  return { excerpt: `${chars.slice(0, EXCERPT_LENGTH).join('').trimEnd()}…`, truncated: true };
}

interface Composed<K extends EmailKind> {
  subject: string;
  data: TemplateData[K];

  to: MailAddress;
  replyTo?: MailAddress;
}

function compose(
  kind: EmailKind,
  ticket: MailTicket,
  delivery: MailDelivery,
  config: MessageConfig,
): Composed<EmailKind> {
  // The submitter's own mails go to the recorded recipient, greeted by the name they gave; their
  // "Reply" goes to the ticket's signed reply address (when inbound mail is configured).
  const toSubmitter = () => mailbox(ticket.name, delivery.recipient);
  const reply = replyAddressFor(config, ticket.id);
  const replyTo = reply ? { replyTo: mailbox(parseMailFrom(config.MAIL_FROM).name, reply) } : {};
  const tag = `[${ticket.ticketNumber}]`;
  const lang = supportedLanguage(ticket.language) ?? 'en';
  switch (kind) {
    case 'ticket_reply':
      return {
        subject: `${tag} Re: ${ticket.subject}`,
        to: toSubmitter(),
        ...replyTo,
        data: {
          ticketNumber: ticket.ticketNumber,
          subject: ticket.subject,
          body: delivery.message?.body ?? '',
          authorName: delivery.message?.authorName ?? '',
          replyable: !!reply,
          portalUrl: delivery.portal?.page ?? null,
        },
      } satisfies Composed<'ticket_reply'>;
    case 'contact_confirmation':
      return {
        subject: `${tag} ${t(lang, 'mail_confirmSubject', { subject: ticket.subject })}`,
        to: toSubmitter(),
        ...replyTo,
        data: {
          ticketNumber: ticket.ticketNumber,
          name: ticket.name,
          subject: ticket.subject,
          message: ticket.message,
          responseTime: config.SUPPORT_RESPONSE_TIME,
          portalUrl: delivery.portal?.page ?? null,
        },
      } satisfies Composed<'contact_confirmation'>;
    case 'contact_admin_notification':
      return {
        subject: `${tag} New ${ticket.category} submission: ${ticket.subject}`,
        to: mailbox('', delivery.recipient),
        // A moderator's "Reply" reaches the person who wrote in, never the no-reply sender. Without a
        // usable address the alert still goes out, just without Reply-To.
        ...(isPlainAddress(ticket.email) ? { replyTo: mailbox(ticket.name, ticket.email) } : {}),
        data: {
          ticketNumber: ticket.ticketNumber,
          category: ticket.category,
          name: ticket.name,
          email: ticket.email,
          subject: ticket.subject,
          ...excerpt(ticket.message),
          ticketUrl: ticketUrl(config, ticket.id),
        },
      } satisfies Composed<'contact_admin_notification'>;
    case 'contact_resolved':
      return {
        subject: `${tag} ${t(lang, 'mail_resolvedSubject', { subject: ticket.subject })}`,
        to: toSubmitter(),
        ...replyTo,
        data: {
          ticketNumber: ticket.ticketNumber,
          name: ticket.name,
          subject: ticket.subject,
          resolutionNotes: ticket.resolutionNotes.trim(),
          portalUrl: delivery.portal?.page ?? null,
          rateGoodUrl: delivery.portal?.rateGood ?? null,
          rateBadUrl: delivery.portal?.rateBad ?? null,
        },
      } satisfies Composed<'contact_resolved'>;
    case 'ticket_links':
      // About the address, not one ticket: no ticket number in the subject, no reply address.
      return {
        subject: t(lang, 'mail_linksSubject'),
        to: mailbox('', delivery.recipient),
        data: { tickets: delivery.links ?? [] },
      } satisfies Composed<'ticket_links'>;
    case 'rating_bad_alert':
      return {
        subject: `${tag} Rated "not solved": ${ticket.subject}`,
        to: mailbox('', delivery.recipient),
        data: {
          ticketNumber: ticket.ticketNumber,
          subject: ticket.subject,
          name: ticket.name,
          email: ticket.email,
          ticketUrl: ticketUrl(config, ticket.id),
        },
      } satisfies Composed<'rating_bad_alert'>;
    case 'webhook_disabled':
      // About a webhook endpoint (src/webhooks), to the admin who registered it (else every admin).
      return {
        subject: 'Webhook endpoint disabled after a day of failed deliveries',
        to: mailbox('', delivery.recipient),
        data: {
          url: delivery.webhook?.url ?? '',
          reason: delivery.webhook?.reason ?? '',
          disabledAt: delivery.webhook?.disabledAt?.toISOString() ?? '',
          panelUrl: `${config.publicUrl}/admin/resources/webhook_endpoints`,
        },
      } satisfies Composed<'webhook_disabled'>;
    case 'sla_warning':
    case 'sla_breach': {
      // To staff (the assignee, else the admins): the clock and its due time (src/sla/sla.mail.ts).
      const a = delivery.slaAlert;
      const what = delivery.kind === 'sla_warning' ? 'SLA due' : 'SLA breached';
      return {
        subject: `${tag} ${what}${a ? ` (${a.targetLabel.toLowerCase()}, ${a.relative})` : ''}: ${ticket.subject}`,
        to: mailbox('', delivery.recipient),
        data: {
          ticketNumber: ticket.ticketNumber,
          subject: ticket.subject,
          targetLabel: a?.targetLabel.toLowerCase() ?? 'SLA',
          dueAt: a?.dueAt ?? '',
          relative: a?.relative ?? '',
          ticketUrl: ticketUrl(config, ticket.id),
        },
      } satisfies Composed<'sla_warning'>;
    }
    case 'moderator_digest': {
      // About the moderator's queue, not the ticket it is anchored on (src/sla/digest.ts).
      const d = delivery.digest ?? {
        name: '',
        mine: [],
        mineTotal: 0,
        breaching: [],
        unassigned: [],
        unassignedTotal: 0,
      };
      return {
        subject: `Your morning digest: ${d.mineTotal} open, ${d.breaching.length} breaching soon, ${d.unassignedTotal} new unassigned`,
        to: mailbox(d.name, delivery.recipient),
        data: d,
      } satisfies Composed<'moderator_digest'>;
    }
  }
}

/** The message nodemailer sends for one delivery. `From` is always MAIL_FROM. */
export function buildMessage(
  ticket: MailTicket,
  delivery: MailDelivery,
  config: MessageConfig,
  thread: MailThread = { references: [] },
): SendMailOptions & { messageId: string; subject: string; html: string; text: string } {
  const from = parseMailFrom(config.MAIL_FROM);
  const composed = compose(delivery.kind, ticket, delivery, config);
  const subject = headerSafe(composed.subject);
  // Staff mails (admin alerts) stay in English; the customer's follow the ticket's language.
  const lang = delivery.kind === 'contact_admin_notification' ? 'en' : (supportedLanguage(ticket.language) ?? 'en');
  const body = renderBody(
    delivery.kind,
    composed.data as never,
    {
      productName: from.name || 'ContactDesk',
      // A digest is about no single ticket: its footer does not name the one it is anchored on.
      ticketNumber: delivery.kind === 'moderator_digest' ? '' : ticket.ticketNumber,
      title: subject,
    },
    lang,
  );
  const references = thread.references.filter(isMessageId).slice(-MAX_REFERENCES);
  const automated = !HUMAN_KINDS.includes(delivery.kind);
  return {
    from,
    to: composed.to,
    ...(composed.replyTo ? { replyTo: composed.replyTo } : {}),
    subject,
    messageId: messageIdFor(config, delivery.id, from),
    // One conversation in Gmail, Outlook and Apple Mail: each mail names the thread it continues.
    ...(references.length ? { inReplyTo: references.at(-1), references } : {}),
    html: body.html,
    text: body.text,
    // Only the From and the recipient are used for the SMTP envelope: a header can never add one.
    envelope: { from: from.address, to: [composed.to.address] },
    // Automated mails say so, and ask Exchange not to send out-of-office replies to them; a
    // moderator's reply is a person writing and carries neither.
    headers: automated ? { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' } : {},
  };
}

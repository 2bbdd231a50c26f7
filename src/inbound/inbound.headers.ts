// What an inbound mail's headers say, read once from the parsed mail: who sent it, every address
// it was delivered to, the Message-IDs it answers, and whether a machine wrote it (auto-reply,
// bounce, list, loop). Pure functions over mailparser's output, so the rules are easy to test.
import type { AddressObject, ParsedMail } from 'mailparser';

export interface MailFacts {
  messageId: string | null;
  from: { address: string; name: string } | null;
  subject: string;
  /** To, Cc, Delivered-To, X-Original-To, Envelope-To and the SMTP envelope: where a reply token may be. */
  recipients: string[];
  /** In-Reply-To first, then References newest first: the order in which they say what is answered. */
  answers: string[];
  /** The 22-byte thread root of Outlook's Thread-Index (base64 prefix), when present. */
  threadIndexRoot: string | null;
  /** A machine wrote it, or it went to many: never answer it automatically (RFC 3834). */
  automated: boolean;
  /** An out-of-office / vacation answer. */
  autoReply: boolean;
  /** A delivery status notification (bounce). */
  bounce: boolean;
}

/** Raw values of a header (every occurrence), unfolded; mailparser's headerLines keep them as sent. */
export function rawHeaders(parsed: ParsedMail, name: string): string[] {
  const key = name.toLowerCase();
  return parsed.headerLines
    .filter((h) => h.key === key)
    .map((h) =>
      h.line
        .slice(h.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
}

const first = (parsed: ParsedMail, name: string) => rawHeaders(parsed, name)[0] ?? null;

/** `<id>` tokens in a header value (In-Reply-To, References, Message-ID). */
export const messageIdsIn = (value: string): string[] => value.match(/<[^<>\s]{1,900}>/g) ?? [];

function addressesOf(a: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  for (const obj of Array.isArray(a) ? a : a ? [a] : []) {
    for (const v of obj.value) {
      if (v.address) out.push(v.address);
      for (const g of v.group ?? []) if (g.address) out.push(g.address);
    }
  }
  return out;
}

const AUTO_REPLY_SUBJECT =
  /^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|absence|r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica|away from (the )?office|on vacation|vacation reply)\b/i;
const BOUNCE_SENDER = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;

export function readFacts(
  parsed: ParsedMail,
  envelope: { from: string | null; to: readonly string[]; messageId: string | null },
): MailFacts {
  const fromObj = addressesOf(parsed.from)[0];
  const fromName = parsed.from?.value[0]?.name ?? '';
  const subject = parsed.subject ?? '';
  const recipients = [
    ...addressesOf(parsed.to),
    ...addressesOf(parsed.cc),
    ...['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to'].flatMap((h) => rawHeaders(parsed, h)),
    ...envelope.to,
  ];
  const inReplyTo = rawHeaders(parsed, 'in-reply-to').flatMap(messageIdsIn);
  const references = rawHeaders(parsed, 'references').flatMap(messageIdsIn).reverse();
  const answers = [...new Set([...inReplyTo, ...references])];
  const threadIndex = first(parsed, 'thread-index');
  // 22 bytes = 29⅓ base64 characters; the first 28 are the root alone (timestamp + GUID).
  const threadIndexRoot = threadIndex && /^[A-Za-z0-9+/=]{30,}$/.test(threadIndex) ? threadIndex.slice(0, 28) : null;

  const autoSubmitted = (first(parsed, 'auto-submitted') ?? 'no').toLowerCase().split(';')[0]!.trim();
  const precedence = (first(parsed, 'precedence') ?? '').toLowerCase().trim();
  const returnPath = rawHeaders(parsed, 'return-path');
  const emptyReturnPath = returnPath.some((v) => /^<\s*>$/.test(v)) || envelope.from === '';
  const contentType = parsed.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  const isReport =
    contentType?.value?.toLowerCase() === 'multipart/report' ||
    parsed.attachments.some((a) => a.contentType.toLowerCase() === 'message/delivery-status');

  const autoReply =
    autoSubmitted === 'auto-replied' ||
    precedence === 'auto_reply' ||
    rawHeaders(parsed, 'x-autoreply').length > 0 ||
    rawHeaders(parsed, 'x-autorespond').length > 0 ||
    AUTO_REPLY_SUBJECT.test(subject);
  // A bounce: a DSN, or mail from the mail system itself. An empty Return-Path alone is also
  // what RFC 3834 asks auto-replies to use, so it marks a bounce only when it is not one.
  const bounce = isReport || (fromObj ? BOUNCE_SENDER.test(fromObj) : false) || (emptyReturnPath && !autoReply);
  const automated =
    autoReply ||
    bounce ||
    autoSubmitted !== 'no' ||
    ['bulk', 'list', 'junk'].includes(precedence) ||
    rawHeaders(parsed, 'x-loop').length > 0 ||
    rawHeaders(parsed, 'list-unsubscribe').length > 0 ||
    rawHeaders(parsed, 'list-id').length > 0 ||
    emptyReturnPath;

  return {
    messageId: envelope.messageId ?? messageIdsIn(first(parsed, 'message-id') ?? '')[0] ?? null,
    from: fromObj ? { address: fromObj, name: fromName } : null,
    subject,
    recipients,
    answers,
    threadIndexRoot,
    automated,
    autoReply,
    bounce,
  };
}

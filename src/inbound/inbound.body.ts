// The new text of an inbound mail: quoted history and signature cut (the raw mail in
// inbound_mails keeps everything), the HTML part reduced to an allowlist. Forwards are kept whole:
// there the "quote" IS the message (a colleague forwarding a customer's mail).
import EmailReplyParser from 'email-reply-parser';
import type { ParsedMail } from 'mailparser';
import sanitizeHtml from 'sanitize-html';

export interface MailBody {
  text: string;
  /** Sanitised HTML when the mail came as HTML. */
  html: string | null;
}

const MAX_TEXT = 100_000;
const MAX_HTML = 200_000;

const FORWARD =
  /^(-{2,}\s*(forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado)\s*-{2,}|begin forwarded message:)/im;
// Outlook's reply separators, which email-reply-parser does not know: "-----Original Message-----",
// or an underscore rule / blank line followed by a "From: … Sent: …" header block.
const OUTLOOK_QUOTE =
  /^(-{3,}\s*(original message|ursprüngliche nachricht|message d'origine)\s*-{3,}|_{20,}\s*\n(from|von|de):|(from|von|de):[^\n]*\n(sent|gesendet|envoyé):)/im;
const FORWARD_SUBJECT = /^\s*(fwd?|wg|tr)\s*:/i;

// Where clients start the quoted history in HTML: Gmail, Apple Mail / Thunderbird, Outlook
// (desktop and web), Yahoo. Everything from the first marker on is history.
const HTML_QUOTE_MARKERS = [
  /<div[^>]*class="?[^">]*gmail_quote/i,
  /<blockquote[^>]*type="?cite/i,
  /<div[^>]*class="?moz-cite-prefix/i,
  /<div[^>]*id="?divRplyFwdMsg/i,
  /<div[^>]*id="?appendonsend/i,
  /<hr[^>]*id="?stopSpelling/i,
  /<div[^>]*class="?yahoo_quoted/i,
  /<div[^>]*style="[^"]*border-top:\s*solid #[0-9a-f]{3,6} 1\.0pt[^"]*"/i,
];

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'div',
    'span',
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'blockquote',
    'pre',
    'code',
    'ul',
    'ol',
    'li',
    'a',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'table',
    'thead',
    'tbody',
    'tr',
    'td',
    'th',
    'hr',
    'img',
  ],
  // No style, class or on* attribute anywhere: nothing that runs, tracks or restyles the panel.
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Remote images are trackers (they tell the sender when a moderator opened the ticket): only inline data.
  allowedSchemesByTag: { img: ['data'] },
  allowProtocolRelative: false,
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }),
    img: (tagName, attribs) =>
      /^data:image\/(png|gif|jpe?g|webp);/i.test(attribs.src ?? '')
        ? { tagName, attribs }
        : { tagName: 'span', attribs: {}, text: attribs.alt ?? '' },
  },
};

export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE).trim();
}

function cutHtmlQuote(html: string): string {
  let end = html.length;
  for (const marker of HTML_QUOTE_MARKERS) {
    const m = marker.exec(html);
    if (m && m.index < end) end = m.index;
  }
  return html.slice(0, end);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Plain text of (already cut) HTML: block ends become line breaks, everything else goes. */
export function htmlToText(html: string): string {
  const marked = html
    .replace(/<(br|hr)\b[^>]*>/gi, '\n')
    .replace(/<\/(p|h[1-6]|blockquote|pre|table)>/gi, '\n\n')
    .replace(/<\/(div|li|tr)>/gi, '\n');
  return sanitizeHtml(marked, { allowedTags: [], allowedAttributes: {} })
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+\d*);/gi, (all, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
      }
      return ENTITIES[e.toLowerCase()] ?? all;
    })
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const parser = new EmailReplyParser();

/** Whether the raw mail has a text/plain part of its own (mailparser fills `text` from HTML otherwise). */
const hasTextPart = (raw: Buffer) => /^content-type:\s*text\/plain/im.test(raw.toString('latin1'));

export function extractBody(parsed: ParsedMail, raw: Buffer): MailBody {
  const forward = FORWARD_SUBJECT.test(parsed.subject ?? '') || FORWARD.test(parsed.text ?? '');
  // HTML beyond the stored limit is not kept anyway: do not sanitise megabytes to throw them away.
  const html =
    typeof parsed.html === 'string' && parsed.html.trim() && parsed.html.length <= MAX_HTML * 4 ? parsed.html : null;
  const cutHtml = html ? (forward ? html : cutHtmlQuote(html)) : null;
  const fullText =
    hasTextPart(raw) && parsed.text ? parsed.text : cutHtml !== null ? htmlToText(cutHtml) : (parsed.text ?? '');
  // Cut to size BEFORE the reply parser: its regexes over megabytes of text take seconds.
  const shortened = fullText.length > MAX_TEXT;
  const normalized = fullText.slice(0, MAX_TEXT).replace(/\r\n?/g, '\n');
  let text = normalized;
  if (!forward) {
    const outlook = OUTLOOK_QUOTE.exec(text);
    if (outlook) text = text.slice(0, outlook.index);
    text = parser.parseReply(text);
  }
  // The parser can cut everything (a reply that is only a signature line): keep what was written.
  if (!text.trim()) text = normalized;
  text = text.trim();
  if (shortened) text = `${text}\n\n[…] (shortened; the full mail is kept)`;
  let safeHtml = cutHtml !== null ? sanitizeMailHtml(cutHtml) : null;
  if (safeHtml !== null && (!safeHtml || safeHtml.length > MAX_HTML)) safeHtml = null;
  return { text, html: safeHtml };
}

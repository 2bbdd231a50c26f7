// Server-rendered HTML of the customer page: plain forms, no JavaScript, no external resource
// (the one stylesheet is inline and allowed by its hash in the page's CSP, see portal.routes.ts).
// Every value is escaped; message bodies are shown as text (white-space: pre-wrap), never as HTML.
import { createHash } from 'node:crypto';
import type { ThreadMessage } from '../conversation/thread.repository.js';
import { textDirection, type Language } from '../i18n/language.js';
import { escapeHtml as h } from '../shared/text.js';
import { pt, type PortalKey } from './portal.i18n.js';
import type { PortalView } from './portal.service.js';
import type { Rating } from './ratings.js';

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f7fa;color:#1f2933;line-height:1.5}
main{max-width:44rem;margin:0 auto;padding:1.5rem 1rem 3rem}h1{font-size:1.4rem;margin:.5rem 0}
.status{display:inline-block;padding:.1rem .6rem;border-radius:1rem;background:#e4e7eb;font-weight:600}
.status-resolved,.status-archived{background:#c6f7e2}.status-in_progress{background:#fce588}
.notice{padding:.75rem 1rem;background:#e6f6ff;border-inline-start:4px solid #2680c2}.error{background:#ffe3e3;border-color:#cf1124}
ol.thread{list-style:none;padding:0}ol.thread li{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}
ol.thread li.out{border-inline-start:4px solid #2680c2}.meta{margin:0 0 .4rem;color:#52606d;font-size:.9rem}
.body{white-space:pre-wrap;overflow-wrap:anywhere}label{display:block;font-weight:600;margin:.75rem 0 .25rem}
textarea,input[type=email]{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;border:1px solid #9aa5b1;border-radius:4px}
button{font:inherit;padding:.5rem 1rem;margin-top:.5rem;border:0;border-radius:4px;background:#243b53;color:#fff;cursor:pointer}
button.good{background:#2f855a}button.bad{background:#c53030}form.inline{display:inline-block;margin-inline-end:.5rem}
section{margin-top:1.5rem}:focus-visible{outline:3px solid #f0b429;outline-offset:2px}`;

/** The CSP source that allows exactly the inline stylesheet above. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

function page(lang: Language, title: string, body: string): string {
  return (
    `<!doctype html><html lang="${lang}" dir="${textDirection(lang)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow">` +
    `<title>${h(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>`
  );
}

const when = (lang: Language, d: Date) =>
  `<time datetime="${d.toISOString()}">${h(
    new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(d),
  )} UTC</time>`;

const notice = (text: string, kind: 'notice' | 'error' = 'notice') =>
  `<p class="notice${kind === 'error' ? ' error' : ''}" role="${kind === 'error' ? 'alert' : 'status'}">${h(text)}</p>`;

const size = (n: number) =>
  n < 1024 ? `${n} B` : n < 1048576 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;

function message(lang: Language, base: string, m: ThreadMessage): string {
  const who = m.author.type === 'customer' ? pt(lang, 'you') : m.author.name || pt(lang, 'support');
  // Downloaded through the link (portal-files.ts checks the file belongs to a visible message).
  const files = m.attachments ?? [];
  const list = files.length
    ? `<p class="meta">${h(pt(lang, 'attachments'))}:</p><ul class="files">${files
        .map((f) => `<li><a href="${base}/files/${h(f.id)}">${h(f.fileName)}</a> (${size(f.size)})</li>`)
        .join('')}</ul>`
    : '';
  return (
    `<li class="${m.direction === 'out' ? 'out' : 'in'}" data-kind="${h(m.kind)}"><p class="meta"><strong>${h(who)}</strong> · ` +
    `${when(lang, m.createdAt)}</p><div class="body">${h(m.bodyText)}</div>${list}</li>`
  );
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${h(value)}">`;

function ratingBlock(lang: Language, base: string, csrf: string, rating: Rating | null, now: Date): string {
  const answer = rating ? pt(lang, rating.score === 'good' ? 'yes' : 'no') : null;
  const locked = rating && now > rating.changeableUntil;
  const buttons = locked
    ? `<p>${h(pt(lang, 'locked'))}</p>`
    : (['good', 'bad'] as const)
        .map(
          (score) =>
            `<form class="inline" method="post" action="${base}/rate">${hidden('csrf', csrf)}${hidden('score', score)}` +
            `<button class="${score}" type="submit">${h(pt(lang, score === 'good' ? 'yes' : 'no'))}</button></form>`,
        )
        .join('');
  return (
    `<section aria-labelledby="rate-h"><h2 id="rate-h">${h(pt(lang, 'question'))}</h2>` +
    (answer ? `<p>${h(pt(lang, 'yourAnswer', { answer }))}</p>` : '') +
    buttons +
    `</section>`
  );
}

export type PortalNotice = 'sent' | 'followup' | 'solved' | 'rated';

export function renderTicketPage(
  lang: Language,
  token: string,
  view: PortalView,
  now: Date,
  opts: { notice?: PortalNotice; followUpNumber?: string; error?: string } = {},
): string {
  const { ticket, thread, csrf, rating } = view;
  const base = `/t/${h(token)}`;
  const open = ticket.status === 'pending' || ticket.status === 'in_progress';
  const solved = ticket.status === 'resolved' || ticket.status === 'archived';
  const notices: Record<PortalNotice, string> = {
    sent: pt(lang, 'sent'),
    followup: pt(lang, 'followUp', { number: opts.followUpNumber ?? '' }),
    solved: pt(lang, 'solvedDone'),
    rated: pt(lang, 'thanksRating'),
  };
  const title = pt(lang, 'ticket', { number: ticket.ticketNumber });
  return page(
    lang,
    `${title} · ${ticket.subject}`,
    `<h1>${h(title)}: ${h(ticket.subject)}</h1>` +
      `<p>${h(pt(lang, 'status'))}: <strong class="status status-${ticket.status}" id="status">${h(
        pt(lang, `st_${ticket.status}` as PortalKey),
      )}</strong></p>` +
      (opts.notice ? notice(notices[opts.notice]) : '') +
      (opts.error ? notice(opts.error, 'error') : '') +
      (solved ? ratingBlock(lang, base, csrf, rating, now) : '') +
      `<section aria-labelledby="conv-h"><h2 id="conv-h">${h(pt(lang, 'conversation'))}</h2>` +
      `<ol class="thread">${thread.map((m) => message(lang, base, m)).join('')}</ol></section>` +
      // multipart: files go with the reply (the CSRF field first, so it is checked before any file is stored).
      `<section><form method="post" action="${base}/reply" enctype="multipart/form-data">${hidden('csrf', csrf)}` +
      `<label for="body">${h(pt(lang, 'replyLabel'))}</label>` +
      (solved ? `<p id="reply-hint">${h(pt(lang, 'reopenHint'))}</p>` : '') +
      `<textarea id="body" name="body" rows="6" required maxlength="20000"${solved ? ' aria-describedby="reply-hint"' : ''}></textarea>` +
      (view.upload.maxFiles > 0
        ? `<label for="attachments">${h(pt(lang, 'attachFiles', { count: String(view.upload.maxFiles), size: view.upload.maxSize }))}</label>` +
          `<input type="file" id="attachments" name="attachments" multiple>`
        : '') +
      `<button type="submit">${h(pt(lang, 'send'))}</button></form></section>` +
      (open
        ? `<section><p>${h(pt(lang, 'solvedHint'))}</p><form method="post" action="${base}/solve">${hidden('csrf', csrf)}` +
          `<button type="submit">${h(pt(lang, 'markSolved'))}</button></form></section>`
        : ''),
  );
}

/** After a one-click rating (or the rating form): the answer, until when it can change, a comment form. */
export function renderRatedPage(lang: Language, token: string, csrf: string, rating: Rating): string {
  const base = `/t/${h(token)}`;
  const answer = pt(lang, rating.score === 'good' ? 'yes' : 'no');
  const until = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(rating.changeableUntil);
  return page(
    lang,
    pt(lang, 'thanksRating'),
    `<h1>${h(pt(lang, 'thanksRating'))}</h1>` +
      `<p id="answer">${h(pt(lang, 'yourAnswer', { answer }))} ${h(pt(lang, 'changeUntil', { date: until }))}</p>` +
      `<form method="post" action="${base}/rate">${hidden('csrf', csrf)}${hidden('score', rating.score)}` +
      `<label for="comment">${h(pt(lang, 'commentLabel'))}</label>` +
      `<textarea id="comment" name="comment" rows="4" maxlength="2000">${h(rating.comment)}</textarea>` +
      `<button type="submit">${h(pt(lang, 'saveComment'))}</button></form>` +
      `<p><a href="${base}">${h(pt(lang, 'back'))}</a></p>`,
  );
}

/** A short page with one message (rating refused, too many requests, an expired form). */
export function renderMessagePage(lang: Language, text: string, backTo?: string): string {
  return page(
    lang,
    text,
    `${notice(text, 'error')}${backTo ? `<p><a href="${h(backTo)}">${h(pt(lang, 'back'))}</a></p>` : ''}`,
  );
}

/** The one answer for every link that does not work: unknown, tampered, expired, revoked, deleted. */
export function renderNotFound(lang: Language): string {
  return page(
    lang,
    pt(lang, 'notFoundTitle'),
    `<h1>${h(pt(lang, 'notFoundTitle'))}</h1><p>${h(pt(lang, 'notFoundBody'))}</p>` +
      `<p><a href="/t/find">${h(pt(lang, 'findTitle'))}</a></p>`,
  );
}

export function renderFindPage(lang: Language, opts: { sent?: boolean; error?: string; email?: string } = {}): string {
  return page(
    lang,
    pt(lang, 'findTitle'),
    `<h1>${h(pt(lang, 'findTitle'))}</h1>` +
      (opts.sent ? notice(pt(lang, 'findSent')) : `<p>${h(pt(lang, 'findIntro'))}</p>`) +
      (opts.error ? notice(opts.error, 'error') : '') +
      `<form method="post" action="/t/find"><input type="hidden" name="lang" value="${lang}">` +
      `<label for="email">${h(pt(lang, 'emailLabel'))}</label>` +
      `<input type="email" id="email" name="email" required maxlength="254" autocomplete="email" value="${h(opts.email ?? '')}">` +
      `<button type="submit">${h(pt(lang, 'findSubmit'))}</button></form>`,
  );
}

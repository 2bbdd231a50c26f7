// Minimal HTML answers for a plain <form method="post"> (no JavaScript on the website owner's
// page): a thank-you page with the ticket number, or the list of problems to fix. In the
// visitor's language (the form's `lang` field or Accept-Language) and under the site's name.
import type { Request } from 'express';
import { AppError } from '../errors.js';
import { escapeHtml } from '../shared/text.js';
import type { PublicSubmission } from './contact.schema.js';
import { translateFields } from '../i18n/field-messages.js';
import { textDirection, type Language } from '../i18n/language.js';
import { t, type StringKey } from '../i18n/strings.js';

export function wantsHtml(req: Request): boolean {
  return (
    // A plain form posts urlencoded, or multipart/form-data when it has a file input.
    !!req.is(['application/x-www-form-urlencoded', 'multipart/form-data']) &&
    req.accepts(['json', 'html']) === 'html'
  );
}

/**
 * redirect_to of a plain form (urlencoded or multipart): the site's own thank-you page, answered with a 303
 * there. Only to an origin on ALLOWED_ORIGINS: anything else would make the desk an open redirect.
 */
export function formRedirect(req: Request, allowedOrigins: readonly string[]): URL | null {
  if (!req.is(['application/x-www-form-urlencoded', 'multipart/form-data'])) return null;
  const raw = (req.body as Record<string, unknown> | undefined)?.redirect_to;
  if (raw === undefined || raw === '') return null;
  let url: URL | null;
  try {
    url = typeof raw === 'string' ? new URL(raw) : null;
  } catch {
    url = null;
  }
  if (!url || !allowedOrigins.includes(url.origin)) {
    throw new AppError({
      code: 'validation_error',
      status: 400,
      message: 'redirect_to must be an address on an allowed origin (ALLOWED_ORIGINS)',
      fields: { redirect_to: ['must be an address on an allowed origin (ALLOWED_ORIGINS)'] },
    });
  }
  return url;
}

export interface PageOptions {
  lang: Language;
  /** SITE_NAME: the pages are the site's, shown on the desk's URL. */
  siteName: string;
}

const page = (o: PageOptions, title: string, body: string) =>
  `<!doctype html><html lang="${o.lang}" dir="${textDirection(o.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<title>${escapeHtml(title)} · ${escapeHtml(o.siteName)}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}header{color:#4b5563}</style>` +
  `</head><body><header>${escapeHtml(o.siteName)}</header><main>${body}</main><p><a href="javascript:history.back()">${escapeHtml(t(o.lang, 'page_back'))}</a></p></body></html>`;

/** The files that came with the form (multipart), by name and size, so the sender sees what arrived. */
function fileList(s: PublicSubmission, lang: Language): string {
  const files = (s as { attachments?: Array<{ file_name: string; size: number }> }).attachments;
  if (!files?.length) return '';
  const kb = (n: number) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);
  const items = files.map((f) => `<li>${escapeHtml(f.file_name)} (${kb(f.size)})</li>`).join('');
  return `<p>${escapeHtml(t(lang, 'attachments'))}:</p><ul class="attachments">${items}</ul>`;
}

export function renderFormThanks(s: PublicSubmission, o: PageOptions): string {
  const L = o.lang;
  return page(
    o,
    t(L, 'page_thanksTitle'),
    `<h1>${escapeHtml(t(L, 'page_thanksHeading', { name: String(s.name) }))}</h1><p>${escapeHtml(t(L, 'page_thanksBody', { email: String(s.email) }))}</p>` +
      `<p>${escapeHtml(t(L, 'page_ticket', { number: '\u0000' })).replace('\u0000', `<strong>${escapeHtml(String(s.ticket_number))}</strong>`)}</p>` +
      fileList(s, L),
  );
}

const FIELD_LABELS: Record<string, StringKey> = {
  name: 'name',
  email: 'email',
  category: 'category',
  subject: 'subject',
  message: 'message',
};

/** The status's general sentence in the visitor's language; the API's English message otherwise. */
function errorSentence(err: AppError, lang: Language): string {
  if (err.status === 400 && err.fields) return t(lang, 'err_fix');
  if (err.status === 429) return t(lang, 'err_rate');
  if (err.code === 'origin_not_allowed') return t(lang, 'err_forbidden');
  return lang === 'en' ? err.message : t(lang, 'err_generic');
}

export function renderFormError(err: AppError, o: PageOptions): string {
  const L = o.lang;
  const items = Object.entries(translateFields(L, err.fields) ?? {})
    .map(([field, msgs]) => {
      // English keeps the API's field names (what the page always showed); other languages, labels.
      const label = L !== 'en' && FIELD_LABELS[field] ? t(L, FIELD_LABELS[field]) : field;
      return `<li><strong>${escapeHtml(label)}</strong>: ${escapeHtml(msgs.join('; '))}</li>`;
    })
    .join('');
  return page(
    o,
    t(L, 'page_errorTitle'),
    `<h1>${escapeHtml(t(L, 'page_errorTitle'))}</h1><p>${escapeHtml(errorSentence(err, L))}</p>${items ? `<ul>${items}</ul>` : ''}`,
  );
}

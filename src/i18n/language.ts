// The visitor's language: one of TICKET_LANGUAGES, picked from an explicit `lang` (the widget's
// attribute, the page's <html lang>, a form field) or else the Accept-Language header.
import { TICKET_LANGUAGES, type TicketLanguage } from '../contact/ticket.fields.js';

export type Language = TicketLanguage;
export const LANGUAGES = TICKET_LANGUAGES;
export const DEFAULT_LANGUAGE: Language = 'en';
const RTL: readonly Language[] = ['ar', 'he'];

/** "de-CH" → "de", "iw" (old Hebrew code) → "he"; anything unsupported → null. */
export function supportedLanguage(tag: unknown): Language | null {
  if (typeof tag !== 'string') return null;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  const code = primary === 'iw' ? 'he' : primary;
  return (LANGUAGES as readonly string[]).includes(code) ? (code as Language) : null;
}

/** The first supported language of an Accept-Language header, by q-value (RFC 9110 §12.5.4). */
export function fromAcceptLanguage(header: string | undefined): Language | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const lang = supportedLanguage(r.tag);
    if (lang) return lang;
  }
  return null;
}

export function pickLanguage(explicit: unknown, acceptLanguage?: string): Language {
  return supportedLanguage(explicit) ?? fromAcceptLanguage(acceptLanguage) ?? DEFAULT_LANGUAGE;
}

export const textDirection = (lang: Language): 'rtl' | 'ltr' => (RTL.includes(lang) ? 'rtl' : 'ltr');

// Text rules shared by every input schema and every place that writes HTML or dates.

/**
 * Control characters free text may not hold: PostgreSQL text cannot store NUL, and the other C0
 * controls have no business in a form. Tab, LF and CR stay allowed (a message has lines).
 */
export const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Any C0 or C1 control, tab and line breaks included: for tokens such as emails and filters. */
export const ANY_CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F]/;

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (s: string): string => String(s).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);

/** The UTC calendar day of `d` as YYYY-MM-DD (ticket numbers, file names, stats buckets). */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

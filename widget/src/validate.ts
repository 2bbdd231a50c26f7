// Client-side checks, the same rules as the server's submit schema: the rules and their messages
// come from GET /widget/config.json (derived from submitInputSchema), nothing is hard-coded here.
export interface FieldRules {
  required: boolean;
  minLength?: number;
  maxLength?: number;
  singleLine?: boolean;
  noControl?: boolean;
  pattern?: string;
  multiline?: boolean;
  options?: { value: string; label: string }[];
  default?: string;
}

export interface WidgetConfig {
  lang: string;
  dir: 'ltr' | 'rtl';
  honeypot: string;
  fields: Record<string, FieldRules>;
  patterns: { lineBreak: string; control: string };
  text: Record<string, string>;
  attachments: { maxFiles: number; maxBytes: number; maxTotalBytes: number };
}

/** "2 MB", "500 kB": the limits as a visitor reads them. */
export const formatSize = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} kB`;

/** The first limit the chosen files break (the server's, from the config), or ''. */
export function checkFiles(config: WidgetConfig, files: File[]): string {
  const { maxFiles, maxBytes, maxTotalBytes } = config.attachments;
  const t = config.text;
  if (files.length > maxFiles) return fill(t.err_tooManyFiles!, { max: maxFiles });
  const big = files.find((f) => f.size > maxBytes);
  if (big) return fill(t.err_fileTooLarge!, { name: big.name, max: formatSize(maxBytes) });
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > maxTotalBytes) return fill(t.err_filesTotal!, { max: formatSize(maxTotalBytes) });
  return '';
}

export const fill = (s: string, vars: Record<string, string | number>) =>
  s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

/** The message for `value` of `field`, or '' when the server would accept it. */
export function checkField(config: WidgetConfig, field: string, raw: string): string {
  const r = config.fields[field];
  if (!r) return '';
  const t = config.text;
  // The server trims before it checks (zod .trim()): so does this.
  const value = raw.trim();
  if (!value) return r.required ? t.err_required! : '';
  if (r.options) return r.options.some((o) => o.value === value) ? '' : t.err_oneOf!;
  if (r.minLength !== undefined && value.length < r.minLength) return t.err_required!;
  if (r.maxLength !== undefined && value.length > r.maxLength) return fill(t.err_max!, { max: r.maxLength });
  if (r.singleLine && new RegExp(config.patterns.lineBreak).test(value)) return t.err_singleLine!;
  if (r.noControl && new RegExp(config.patterns.control).test(value)) return t.err_control!;
  if (r.pattern && !new RegExp(r.pattern).test(value)) return t.err_email!;
  return '';
}

export function checkAll(config: WidgetConfig, values: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of Object.keys(config.fields)) {
    const msg = checkField(config, field, values[field] ?? '');
    if (msg) errors[field] = msg;
  }
  return errors;
}

/**
 * A fresh Idempotency-Key. getRandomValues, not randomUUID: the latter only exists in secure
 * contexts, and embedding sites are not all served over https.
 */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The language to ask for: the nearest lang attribute (the element's own, else the page's). */
export function languageOf(el: Element): string {
  const tag = el.closest('[lang]')?.getAttribute('lang') || navigator.language || 'en';
  return tag.trim().toLowerCase().split(/[-_]/)[0] || 'en';
}

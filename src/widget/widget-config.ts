// GET /widget/config.json?lang=xx: what the widget validates and says, derived from the server's
// own submit schema (contact.schema.ts) so the browser and the server cannot disagree. Lengths,
// required fields and categories come from the schema's JSON Schema; the rules JSON Schema cannot
// express (single line, no control characters, the email pattern) are found by asking the schema
// itself about probe values, and their patterns are the ones the schema uses.
import { z } from 'zod';
import { LINE_BREAK, submitInputSchema, TICKET_CATEGORIES } from '../contact/contact.schema.js';
import { CONTROL_CHARS } from '../shared/text.js';
import { textDirection, type Language } from '../i18n/language.js';
import { strings, type StringKey } from '../i18n/strings.js';

export interface FieldRules {
  required: boolean;
  minLength?: number;
  maxLength?: number;
  singleLine?: boolean;
  noControl?: boolean;
  /** The email pattern the server applies (zod's), as a RegExp source. */
  pattern?: string;
  multiline?: boolean;
  options?: { value: string; label: string }[];
  default?: string;
}

export interface WidgetConfig {
  lang: Language;
  dir: 'ltr' | 'rtl';
  honeypot: string;
  fields: Record<string, FieldRules>;
  patterns: { lineBreak: string; control: string };
  text: Partial<Record<StringKey, string>>;
  /** The server's attachment limits (ATTACHMENT_MAX_*): the widget checks them before sending; 0 files = no file field. */
  attachments: { maxFiles: number; maxBytes: number; maxTotalBytes: number };
}

/** The form's fields, in display order (`lang` is sent by the widget itself). */
export const WIDGET_FIELDS = ['name', 'email', 'category', 'subject', 'message'] as const;

type JsonProp = { minLength?: number; maxLength?: number; enum?: string[]; default?: string };

function rulesFromSchema(): Record<string, Omit<FieldRules, 'options'>> {
  const json = z.toJSONSchema(submitInputSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, JsonProp>;
    required?: string[];
  };
  const shape = submitInputSchema.shape as Record<string, z.ZodType>;
  const rejects = (field: string, value: string) => !shape[field]!.safeParse(value).success;
  const out: Record<string, Omit<FieldRules, 'options'>> = {};
  for (const field of WIDGET_FIELDS) {
    const p = json.properties[field]!;
    const rules: Omit<FieldRules, 'options'> = { required: (json.required ?? []).includes(field) };
    if (p.minLength !== undefined) rules.minLength = p.minLength;
    if (p.maxLength !== undefined) rules.maxLength = p.maxLength;
    if (p.default !== undefined) rules.default = p.default;
    if (!p.enum) {
      // Probes: a value that is fine except for one thing tells whether the schema checks it.
      rules.singleLine = rejects(field, 'probe\nvalue');
      rules.multiline = !rules.singleLine;
      rules.noControl = rejects(field, 'probe\u0007value');
      const out = (shape[field] as { def?: { out?: { def?: { pattern?: RegExp } } } }).def?.out?.def?.pattern;
      if (out && rejects(field, 'probe-value')) rules.pattern = out.source;
    }
    out[field] = rules;
  }
  return out;
}

const RULES = rulesFromSchema();
const cache = new Map<string, WidgetConfig>();

export function widgetConfig(lang: Language, honeypot: string, attachments: WidgetConfig['attachments']): WidgetConfig {
  const cacheKey = `${lang}:${honeypot}:${attachments.maxFiles}:${attachments.maxBytes}:${attachments.maxTotalBytes}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const table = strings(lang);
  // The widget needs its own strings only, not the pages' or the mails'.
  const text = Object.fromEntries(
    Object.entries(table).filter(([k]) => !k.startsWith('page_') && !k.startsWith('mail_') && !k.startsWith('cat_')),
  );
  const fields: Record<string, FieldRules> = { ...RULES };
  fields.category = {
    ...RULES.category!,
    options: TICKET_CATEGORIES.map((value) => ({ value, label: table[`cat_${value}` as StringKey] })),
  };
  const config: WidgetConfig = {
    lang,
    dir: textDirection(lang),
    honeypot,
    fields,
    patterns: { lineBreak: LINE_BREAK.source, control: CONTROL_CHARS.source },
    text,
    attachments,
  };
  cache.set(cacheKey, config);
  return config;
}

// The submit schema's field messages (contact.schema.ts, English, part of the API) in the
// visitor's language, for the widget and the plain form's error page. The widget's own client
// validation uses the same keys (GET /widget/config.json), so a field reads the same whether the
// browser or the server caught the problem.
import type { FieldErrors } from '../errors.js';
import type { Language } from './language.js';
import { t, type StringKey } from './strings.js';

const RULES: readonly [RegExp, StringKey][] = [
  [/^is required$/, 'err_required'],
  [/^must be at most (\d+) characters$/, 'err_max'],
  [/^must be a valid email address$/, 'err_email'],
  [/^must be a single line/, 'err_singleLine'],
  [/^must not contain control characters$/, 'err_control'],
  [/^must be one of/, 'err_oneOf'],
  [/^unknown field$/, 'err_unknown'],
  [/^must be a string$/, 'err_required'],
];

export function translateFieldMessage(lang: Language, message: string): string {
  for (const [re, key] of RULES) {
    const m = re.exec(message);
    if (m) return t(lang, key, { max: m[1] ?? '' });
  }
  return message;
}

/**
 * `lang` en keeps the API's own wording unless `visitor` (the widget sends `lang`: it shows the
 * same sentences as its client-side checks, "Use at most 255 characters.").
 */
export function translateFields(
  lang: Language,
  fields: FieldErrors | undefined,
  visitor = false,
): FieldErrors | undefined {
  if (!fields || (lang === 'en' && !visitor)) return fields;
  return Object.fromEntries(
    Object.entries(fields).map(([k, msgs]) => [k, msgs.map((m) => translateFieldMessage(lang, m))]),
  );
}

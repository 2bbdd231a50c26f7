// zod schemas for the contact feature: what the public may send, and what it gets back.
import { z } from 'zod';
import { strictKeys } from '../shared/input.js';
import { CONTROL_CHARS } from '../shared/text.js';

import { TICKET_CATEGORIES } from './ticket.fields.js';
import { supportedLanguage, type Language } from '../i18n/language.js';

export { TICKET_CATEGORIES, TICKET_STATUSES, type TicketCategory, type TicketStatus } from './ticket.fields.js';
export { publicSubmissionSchema, toPublicSubmission, type PublicSubmission } from './ticket.shape.js';

export const LINE_BREAK = /[\r\n\u2028\u2029]/;

/** A trimmed single-line string: CR/LF would let a value break out of an email header. */
export const singleLine = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !LINE_BREAK.test(s), 'must be a single line (no line breaks)')
    .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');

export const emailAddress = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'is required')
  .max(254, 'must be at most 254 characters')
  .refine((s) => !LINE_BREAK.test(s), 'must be a single line (no line breaks)')
  .pipe(z.email({ error: 'must be a valid email address' }));

export const multiLineText = (min: number, max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(min, min === 1 ? 'is required' : `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');

export const submitInputSchema = z.strictObject(
  {
    name: singleLine(255),
    email: emailAddress,
    subject: singleLine(255),
    message: multiLineText(1, 20_000),
    category: z
      .enum(TICKET_CATEGORIES, { error: `must be one of: ${TICKET_CATEGORIES.join(', ')}` })
      .default('general'),
    // The visitor's language (the widget's / page's lang, a BCP 47 tag): stored on the ticket and
    // used for its emails. Unsupported or absent: the route falls back to Accept-Language, then en.
    lang: z
      .string({ error: 'must be a string' })
      .max(35, 'must be at most 35 characters')
      .transform((v): Language | undefined => supportedLanguage(v) ?? undefined)
      .optional(),
  },
  strictKeys(),
);
export type SubmitInput = z.infer<typeof submitInputSchema>;

/** What a submission returns: the ticket's `public` fields (ticket.fields.ts). */
export type SubmissionRow = Record<string, unknown> & { id: string; ticketNumber: string; email: string };

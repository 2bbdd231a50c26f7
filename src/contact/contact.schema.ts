// zod schemas for the contact feature: what the public may send, and what it gets back.
import { z } from 'zod';
import { strictKeys } from '../shared/input.js';
import { CONTROL_CHARS } from '../shared/text.js';

export const TICKET_CATEGORIES = ['general', 'bug', 'feature', 'abuse', 'data', 'account', 'other'] as const;
export const TICKET_STATUSES = ['pending', 'in_progress', 'resolved', 'archived'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];

const LINE_BREAK = /[\r\n\u2028\u2029]/;

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
  },
  strictKeys(),
);
export type SubmitInput = z.infer<typeof submitInputSchema>;

/** What the submitter sees: no moderator-only fields (notes, ip, assignee). */
export const publicSubmissionSchema = z.object({
  id: z.uuid(),
  ticket_number: z.string(),
  name: z.string(),
  email: z.string(),
  subject: z.string(),
  message: z.string(),
  category: z.enum(TICKET_CATEGORIES),
  status: z.enum(TICKET_STATUSES),
  created_at: z.string(),
  updated_at: z.string(),
});
export type PublicSubmission = z.infer<typeof publicSubmissionSchema>;

export interface SubmissionRow {
  id: string;
  ticketNumber: string;
  name: string;
  email: string;
  subject: string;
  message: string;
  category: TicketCategory;
  status: TicketStatus;
  createdAt: Date;
  updatedAt: Date;
}

export function toPublicSubmission(row: SubmissionRow): PublicSubmission {
  return {
    id: row.id,
    ticket_number: row.ticketNumber,
    name: row.name,
    email: row.email,
    subject: row.subject,
    message: row.message,
    category: row.category,
    status: row.status,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

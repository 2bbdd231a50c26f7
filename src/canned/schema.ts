// What the canned replies feature reads in and hands out.
import { z } from 'zod';
import { strictKeys } from '../shared/input.js';
import { ANY_CONTROL_CHARS, CONTROL_CHARS } from '../shared/text.js';
import { TEMPLATE_MAX_LENGTH } from './template.js';

export const CANNED_SCOPES = ['shared', 'personal'] as const;
export type CannedScope = (typeof CANNED_SCOPES)[number];
export const CANNED_NAME_MAX = 100;

const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(CANNED_NAME_MAX, `must be at most ${CANNED_NAME_MAX} characters`)
  .refine((s) => !ANY_CONTROL_CHARS.test(s), 'must be a single line without control characters');

const body = z
  .string({ error: 'must be a string' })
  .refine((s) => s.trim() !== '', 'must not be empty')
  .refine((s) => s.length <= TEMPLATE_MAX_LENGTH, `must be at most ${TEMPLATE_MAX_LENGTH} characters`)
  .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');

/**
 * shared: every moderator's (admins only); personal: the author's own. Default personal, so a
 * moderator's first try never fails on a scope they did not think about.
 */
export const cannedCreateSchema = z.strictObject(
  { name, body, scope: z.enum(CANNED_SCOPES, { error: 'must be shared or personal' }).default('personal') },
  strictKeys(),
);
export const cannedUpdateSchema = z
  .strictObject({ name: name.optional(), body: body.optional() }, strictKeys())
  .refine((b) => b.name !== undefined || b.body !== undefined, 'send at least one of: name, body');
export type CannedCreate = z.output<typeof cannedCreateSchema>;
export type CannedUpdate = z.output<typeof cannedUpdateSchema>;

export const cannedListQuerySchema = z.strictObject(
  {
    q: z
      .string({ error: 'must be a single string' })
      .trim()
      .max(CANNED_NAME_MAX, `must be at most ${CANNED_NAME_MAX} characters`)
      .refine((s) => !ANY_CONTROL_CHARS.test(s), 'must not contain control characters')
      .optional(),
    scope: z.enum(CANNED_SCOPES, { error: 'must be shared or personal' }).optional(),
    limit: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(200).default(50),
    offset: z.coerce.number({ error: 'must be a whole number' }).int().min(0).max(1_000_000).default(0),
  },
  strictKeys('unknown parameter'),
);
export type CannedListQuery = z.input<typeof cannedListQuerySchema>;

export const renderQuerySchema = z.strictObject(
  { ticket: z.uuid({ error: 'must be a ticket id (UUID)' }) },
  strictKeys('unknown parameter'),
);

// --- out ------------------------------------------------------------------------------------------

export interface CannedReply {
  id: string;
  name: string;
  body: string;
  scope: CannedScope;
  ownerId: string | null;
  usageCount: number;
  lastUsedAt: Date | null;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const cannedReplyJsonSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  body: z.string(),
  scope: z.enum(CANNED_SCOPES),
  owner_id: z.uuid().nullable(),
  usage_count: z.number().int(),
  last_used_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  /** On create / update: placeholders that are not known variables (they render empty). */
  warnings: z.array(z.string()).optional(),
});
export const renderedReplyJsonSchema = z.object({
  canned_reply_id: z.uuid(),
  ticket_id: z.uuid(),
  text: z.string(),
  usage_count: z.number().int(),
});

export const toCannedReplyJson = (c: CannedReply) => ({
  id: c.id,
  name: c.name,
  body: c.body,
  scope: c.scope,
  owner_id: c.ownerId,
  usage_count: c.usageCount,
  last_used_at: c.lastUsedAt?.toISOString() ?? null,
  created_at: c.createdAt.toISOString(),
  updated_at: c.updatedAt.toISOString(),
});

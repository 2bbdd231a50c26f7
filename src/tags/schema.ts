// What the tags feature reads in and hands out. A leaf module (zod and text rules only): the one
// ticket filter parser (src/contact/ticket.filters.ts) imports the `tags` / `tags_mode` parameters
// from here, so the REST list, the panel's filters and the CSV export read them the same way.
import { z } from 'zod';
import { strictKeys } from '../shared/input.js';
import { ANY_CONTROL_CHARS } from '../shared/text.js';

export const TAG_NAME_MAX = 50;
/** Tags one request may name (a ticket's tags, a filter, a bulk action). */
export const TAGS_PER_REQUEST_MAX = 20;
export const TAG_MODES = ['any', 'all'] as const;
export type TagMode = (typeof TAG_MODES)[number];

/**
 * A tag name: trimmed, inner whitespace collapsed ("needs  review" = "needs review"), no commas
 * (the filter separates names with them), no control characters. Case is kept as first typed;
 * uniqueness ignores it (the database's unique index is on lower(name)).
 */
export const tagNameSchema = z
  .string({ error: 'must be a string' })
  .transform((s) => s.trim().replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(TAG_NAME_MAX, `must be at most ${TAG_NAME_MAX} characters`)
      .refine((s) => !s.includes(','), 'must not contain a comma')
      .refine((s) => !ANY_CONTROL_CHARS.test(s), 'must not contain control characters'),
  );

/** Names as a set, case-insensitively: the first spelling of each wins. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const n of names) if (!seen.has(n.toLowerCase())) seen.set(n.toLowerCase(), n);
  return [...seen.values()];
}

const tagList = z
  .array(tagNameSchema, { error: 'must be an array of tag names' })
  .max(TAGS_PER_REQUEST_MAX, `must name at most ${TAGS_PER_REQUEST_MAX} tags`)
  .transform(uniqueNames);

/** POST (add) / PUT (replace) /contact/{id}/tags, and the bulk "Tag…" action. */
export const ticketTagsBodySchema = z.strictObject({ tags: tagList }, strictKeys());
export const tagCreateSchema = z.strictObject({ name: tagNameSchema }, strictKeys());
export const tagRenameSchema = tagCreateSchema;
export const tagMergeSchema = z.strictObject({ into: z.uuid({ error: 'must be a tag id (UUID)' }) }, strictKeys());

export const tagListQuerySchema = z.strictObject(
  {
    q: z
      .string({ error: 'must be a single string' })
      .trim()
      .max(TAG_NAME_MAX, `must be at most ${TAG_NAME_MAX} characters`)
      .refine((s) => !ANY_CONTROL_CHARS.test(s), 'must not contain control characters')
      .optional(),
    limit: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(500, 'must be at most 500')
      .default(100),
  },
  strictKeys('unknown parameter'),
);
export type TagListQuery = z.output<typeof tagListQuerySchema>;

/**
 * The list filter `tags=a,b` (or `tags=a&tags=b`): names compared case-insensitively, so they are
 * lowered here once. `tags_mode=any` (default) matches a ticket with at least one of them, `all`
 * one with every one.
 */
export const tagsFilterParam = z
  .union([z.string(), z.array(z.string()).max(TAGS_PER_REQUEST_MAX)], {
    error: 'must be tag names separated by commas',
  })
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter((s) => s.trim() !== ''))
  .pipe(z.array(tagNameSchema).max(TAGS_PER_REQUEST_MAX, `must name at most ${TAGS_PER_REQUEST_MAX} tags`))
  .transform((names) => uniqueNames(names).map((n) => n.toLowerCase()))
  .meta({ description: 'Tag names separated by commas (or repeated). Case-insensitive.' });

export const tagsModeParam = z
  .enum(TAG_MODES, { error: 'must be any or all' })
  .meta({ description: 'any (default): tickets with at least one of `tags`; all: tickets with every one.' });

// --- out ------------------------------------------------------------------------------------------

export interface Tag {
  id: string;
  name: string;
}

export interface TagWithUsage extends Tag {
  /** Tickets carrying the tag (archived ones included). */
  ticketCount: number;
  createdById: string | null;
  createdAt: Date;
}

export const tagJsonSchema = z.object({ id: z.uuid(), name: z.string() });
export const tagUsageJsonSchema = tagJsonSchema.extend({
  ticket_count: z.number().int(),
  created_by_id: z.uuid().nullable(),
  created_at: z.iso.datetime(),
});
export const ticketTagsJsonSchema = z.object({ tags: z.array(tagJsonSchema) });

export const toTagJson = (t: Tag) => ({ id: t.id, name: t.name });
export const toTagUsageJson = (t: TagWithUsage) => ({
  id: t.id,
  name: t.name,
  ticket_count: t.ticketCount,
  created_by_id: t.createdById,
  created_at: t.createdAt.toISOString(),
});

// zod schemas of the moderator API's bodies and composite responses. The ticket itself (JSON in
// and out) and the list filters are derived from the field declarations: see ticket.shape.ts and
// ticket.filters.ts. The OpenAPI document (src/http/openapi.ts) is generated from these schemas.
import { z } from 'zod';
import { strictKeys as strictKeysOption } from '../shared/input.js';
import { CONTROL_CHARS } from '../shared/text.js';
import { slaStatsJsonSchema } from '../sla/sla.stats.js';
import { activityJsonShape } from '../stats/stats.schema.js';
import { TICKET_FIELDS } from './ticket.fields.js';
import { moderatorTicketSchema, userSummarySchema } from './ticket.shape.js';

export const NOTES_MAX_LENGTH = 20_000;

const strictKeys = strictKeysOption();

// --- bodies ------------------------------------------------------------------------------------

const notes = z
  .string({ error: 'must be a string' })
  .max(NOTES_MAX_LENGTH, `must be at most ${NOTES_MAX_LENGTH} characters`)
  .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');

export const assignToMeSchema = z.strictObject(
  { force: z.boolean({ error: 'must be true or false' }).optional() },
  strictKeys,
);

/** reopen / archive / restore take no options; an empty body or `{}` is fine, anything else is not. */
export const emptyBodySchema = z.strictObject({}, strictKeys);

export const markResolvedSchema = z.strictObject({ resolution_notes: notes.optional() }, strictKeys);

// --- responses ---------------------------------------------------------------------------------

export { moderatorTicketSchema };

export const ticketListSchema = z.object({
  items: z.array(moderatorTicketSchema),
  /** Exact up to TOTAL_COUNT_CAP; beyond it `total` is the cap and `total_capped` is true. */
  total: z.number().int(),
  total_capped: z.boolean(),
  page: z.number().int(),
  page_size: z.number().int(),
  pages: z.number().int(),
});
export type TicketListJson = z.infer<typeof ticketListSchema>;

const countsOf = (keys: readonly string[]) => z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])));

/** The maintained totals' dimensions (fields declared `counted`): by_<field>, and open_by_<field>. */
export const COUNTED_FIELDS = TICKET_FIELDS.filter((f) => 'counted' in f && f.counted) as ReadonlyArray<
  Extract<(typeof TICKET_FIELDS)[number], { counted: true }>
>;
const countShape = Object.fromEntries(
  COUNTED_FIELDS.flatMap((f) => [
    [`by_${f.name}`, countsOf(f.values)],
    ...(f.name === 'status' ? [] : [[`open_by_${f.name}`, countsOf(f.values)]]),
  ]),
) as Record<string, z.ZodObject>;

const csatWindowSchema = z.object({
  good: z.number().int(),
  bad: z.number().int(),
  percent: z.number().nullable(),
});

/** A ticket's satisfaction ratings (GET /contact/{id}/ratings), one per resolution. */
export const ticketRatingsSchema = z.object({
  ratings: z.array(
    z.object({
      id: z.uuid(),
      resolved_at: z.iso.datetime(),
      score: z.enum(['good', 'bad']),
      comment: z.string(),
      created_at: z.iso.datetime(),
      updated_at: z.iso.datetime(),
    }),
  ),
});

export const ticketStatsSchema = z.object({
  total: z.number().int(),
  ...countShape,
  open: z.number().int(),
  unassigned_open: z.number().int(),
  // Created counts, resolution / first-response percentiles, the 30-day breakdown and open per
  // assignee: the per-day stats (src/stats).
  ...activityJsonShape,
  oldest_pending_age_seconds: z.number().nullable(),
  // Open (pending / in progress) tickets per tag name; tags without open tickets are left out.
  open_by_tag: z.record(z.string(), z.number().int()),
  // Customer satisfaction: good / (good + bad) of the ratings given in the window, in percent
  // (null without ratings); per moderator = the resolver (else assignee) of the rated ticket.
  csat: z.object({
    last_7d: csatWindowSchema,
    last_30d: csatWindowSchema,
    by_moderator_30d: z.array(userSummarySchema.extend(csatWindowSchema.shape)),
  }),
  // SLA attainment over 7 / 30 days, per priority and moderator; median first response in
  // business hours (src/sla/sla.stats.ts).
  sla: slaStatsJsonSchema,
  generated_at: z.iso.datetime(),
});
export type TicketStatsJson = z.infer<typeof ticketStatsSchema>;

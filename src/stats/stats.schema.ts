// The JSON of the per-day stats in GET /api/v1/contact/stats/overview (zod, so OpenAPI shows it),
// and the mapping from the service's figures. Older fields keep their names and shapes.
import { z } from 'zod';
import { TICKET_CATEGORIES, TICKET_PRIORITIES } from '../contact/ticket.fields.js';
import type { ActivityStats, DurationStats, MetricCounts } from './activity.js';
import { HISTOGRAM_MAX_RELATIVE_ERROR } from './histogram.js';

const countsSchema = z.object({
  created: z.number().int(),
  resolved: z.number().int(),
  first_responded: z.number().int(),
});

const percentileFields = { median_seconds: z.number().nullable(), p90_seconds: z.number().nullable() };
const resolutionSchema = z.object({ resolved_count: z.number().int(), ...percentileFields });
const firstResponseSchema = z.object({ responded_count: z.number().int(), ...percentileFields });
const methodSchema = z.enum(['exact', 'histogram']);

export const activityJsonShape = {
  created_last_24h: z.number().int(),
  created_last_7d: z.number().int(),
  created_last_30d: z.number().int(),
  resolution_time_7d: resolutionSchema,
  resolution_time_30d: resolutionSchema,
  first_response_time_7d: firstResponseSchema,
  first_response_time_30d: firstResponseSchema,
  // How each of the four was computed — exact: from the tickets (windows of up to 2,000);
  // histogram: from the per-day buckets, within histogram_max_relative_error (0.0443) of the
  // exact nearest-rank value. (Beside the figures, so their objects keep their old shape.)
  percentile_methods: z.object({
    resolution_time_7d: methodSchema,
    resolution_time_30d: methodSchema,
    first_response_time_7d: methodSchema,
    first_response_time_30d: methodSchema,
    histogram_max_relative_error: z.number(),
  }),
  // The last 30 UTC days including today, per current category / priority / assignee.
  activity_30d: z.object({
    from_day: z.iso.date(),
    to_day: z.iso.date(),
    ...countsSchema.shape,
    by_category: z.record(z.enum(TICKET_CATEGORIES), countsSchema),
    by_priority: z.record(z.enum(TICKET_PRIORITIES), countsSchema),
    by_assignee: z.array(
      z.object({
        id: z.uuid().nullable(),
        name: z.string().nullable(),
        email: z.string().nullable(),
        ...countsSchema.shape,
      }),
    ),
  }),
  open_by_assignee: z.array(z.object({ id: z.uuid(), name: z.string(), email: z.string(), open: z.number().int() })),
};

const percentiles = (d: DurationStats) => ({ median_seconds: d.medianSeconds, p90_seconds: d.p90Seconds });

const zeroFilled = <T extends string>(values: readonly T[], got: Record<string, MetricCounts>) =>
  Object.fromEntries(values.map((v) => [v, got[v] ?? { created: 0, resolved: 0, first_responded: 0 }])) as Record<
    T,
    MetricCounts
  >;

export function toActivityJson(s: ActivityStats) {
  const a = s.last30d;
  return {
    created_last_24h: s.createdLast24h,
    created_last_7d: s.createdLast7d,
    created_last_30d: s.createdLast30d,
    resolution_time_7d: { resolved_count: s.resolutionTime7d.count, ...percentiles(s.resolutionTime7d) },
    resolution_time_30d: { resolved_count: s.resolutionTime30d.count, ...percentiles(s.resolutionTime30d) },
    first_response_time_7d: { responded_count: s.firstResponseTime7d.count, ...percentiles(s.firstResponseTime7d) },
    first_response_time_30d: { responded_count: s.firstResponseTime30d.count, ...percentiles(s.firstResponseTime30d) },
    percentile_methods: {
      resolution_time_7d: s.resolutionTime7d.method,
      resolution_time_30d: s.resolutionTime30d.method,
      first_response_time_7d: s.firstResponseTime7d.method,
      first_response_time_30d: s.firstResponseTime30d.method,
      histogram_max_relative_error: Number(HISTOGRAM_MAX_RELATIVE_ERROR.toFixed(4)),
    },
    activity_30d: {
      from_day: a.fromDay,
      to_day: a.toDay,
      ...a.counts,
      by_category: zeroFilled(TICKET_CATEGORIES, a.byCategory),
      by_priority: zeroFilled(TICKET_PRIORITIES, a.byPriority),
      by_assignee: a.byAssignee,
    },
    open_by_assignee: s.openByAssignee,
  } satisfies z.input<z.ZodObject<typeof activityJsonShape>>;
}

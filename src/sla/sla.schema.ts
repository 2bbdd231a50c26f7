// What the SLA endpoints accept and return (REST and OpenAPI): the calendar, the policies and a
// staff member's digest preference. Bad input is a 400 naming the field.
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { TICKET_CATEGORIES, TICKET_PRIORITIES } from '../contact/ticket.fields.js';
import { strictKeys } from '../shared/input.js';
import { knownHolidayRegion, WEEKDAYS, type BusinessCalendar } from './business-hours.js';
import type { SlaPolicyRow } from './sla.policy.js';

const MAX_MINUTES = 60 * 24 * 365;
const hhmm = z
  .string({ error: 'must be a time HH:MM' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time HH:MM (00:00 to 24:00)');
const window = z
  .tuple([hhmm, hhmm], { error: 'must be a [start, end] pair of HH:MM times' })
  .refine(([s, e]) => s < e, 'must end after it starts');

export const calendarSchema = z
  .strictObject(
    {
      time_zone: z
        .string({ error: 'must be an IANA time zone such as Europe/Berlin' })
        .refine((tz) => IANAZone.isValidZone(tz), 'must be an IANA time zone such as Europe/Berlin'),
      weekly_hours: z
        .partialRecord(
          z.enum(WEEKDAYS, { error: 'keys must be ISO weekdays 1 (Monday) to 7 (Sunday)' }),
          z.array(window).max(6),
        )
        .refine((w) => Object.values(w).some((d) => d && d.length > 0), 'must open on at least one day'),
      holiday_country: z
        .string({ error: 'must be a country code such as DE, or null' })
        .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as DE')
        .nullable()
        .default(null),
      holiday_region: z
        .string({ error: 'must be a region code such as BY, or null' })
        .regex(/^[A-Z0-9]{1,10}$/, 'must be a region code such as BY')
        .nullable()
        .default(null),
      holidays: z
        .array(z.iso.date({ error: 'must be dates YYYY-MM-DD' }))
        .max(1000)
        .default([]),
    },
    strictKeys(),
  )
  .superRefine((c, zctx) => {
    if (c.holiday_region && !c.holiday_country)
      zctx.addIssue({ code: 'custom', path: ['holiday_region'], message: 'needs holiday_country' });
    else if (c.holiday_country && !knownHolidayRegion(c.holiday_country, c.holiday_region))
      zctx.addIssue({
        code: 'custom',
        path: [c.holiday_region ? 'holiday_region' : 'holiday_country'],
        message: 'is not known to date-holidays',
      });
    // A window list must not overlap itself (each minute counts once).
    for (const [day, windows] of Object.entries(c.weekly_hours)) {
      const sorted = [...(windows ?? [])].sort((a, b) => a[0].localeCompare(b[0]));
      if (sorted.some((w, i) => i > 0 && w[0] < sorted[i - 1]![1]))
        zctx.addIssue({ code: 'custom', path: ['weekly_hours', day], message: 'windows must not overlap' });
    }
  });
export type CalendarInput = z.infer<typeof calendarSchema>;

const minutes = z
  .number({ error: 'must be a whole number of business minutes' })
  .int('must be a whole number of business minutes')
  .min(1, 'must be at least 1')
  .max(MAX_MINUTES, `must be at most ${MAX_MINUTES}`);

export const policiesSchema = z
  .strictObject(
    {
      policies: z
        .array(
          z.strictObject(
            {
              priority: z.enum(TICKET_PRIORITIES, { error: `must be one of: ${TICKET_PRIORITIES.join(', ')}` }),
              category: z
                .enum(TICKET_CATEGORIES, { error: `must be one of: ${TICKET_CATEGORIES.join(', ')}, or null` })
                .nullable()
                .default(null),
              first_response_minutes: minutes,
              resolution_minutes: minutes,
            },
            strictKeys(),
          ),
        )
        .max(TICKET_PRIORITIES.length * (TICKET_CATEGORIES.length + 1)),
    },
    strictKeys(),
  )
  .superRefine((b, zctx) => {
    const seen = new Set<string>();
    b.policies.forEach((p, i) => {
      const key = `${p.priority}/${p.category ?? ''}`;
      if (seen.has(key))
        zctx.addIssue({ code: 'custom', path: ['policies', i], message: 'repeats a priority and category' });
      seen.add(key);
    });
  });
export type PoliciesInput = z.infer<typeof policiesSchema>;

export const digestPreferenceSchema = z.strictObject(
  { digest_opt_out: z.boolean({ error: 'must be true or false' }) },
  strictKeys(),
);

export const toCalendarJson = (c: BusinessCalendar) => ({
  time_zone: c.timeZone,
  weekly_hours: c.weeklyHours,
  holiday_country: c.holidayCountry,
  holiday_region: c.holidayRegion,
  holidays: c.holidays,
});

export const toPolicyJson = (p: SlaPolicyRow) => ({
  priority: p.priority,
  category: p.category,
  first_response_minutes: p.firstResponseMinutes,
  resolution_minutes: p.resolutionMinutes,
});

/** OpenAPI response shapes. */
export const calendarJsonSchema = z.object({
  time_zone: z.string(),
  weekly_hours: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))),
  holiday_country: z.string().nullable(),
  holiday_region: z.string().nullable(),
  holidays: z.array(z.string()),
});
export const policyListJsonSchema = z.object({
  policies: z.array(
    z.object({
      priority: z.enum(TICKET_PRIORITIES),
      category: z.enum(TICKET_CATEGORIES).nullable(),
      first_response_minutes: z.number().int(),
      resolution_minutes: z.number().int(),
    }),
  ),
});

// A staff member's list preferences: the time zone dates are shown in and the ticket list's page
// size (both on users, NULL = not chosen: the browser's zone, the default size).
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { requireStaff } from '../auth/access.js';
import type { AppContext } from '../context.js';
import { parseInput, strictKeys } from '../shared/input.js';

export const PAGE_SIZES = [20, 50, 100] as const;

export interface ListPreferences {
  timeZone: string | null;
  pageSize: (typeof PAGE_SIZES)[number] | null;
}

/** An IANA zone the runtime knows (Intl throws a RangeError for anything else). */
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const preferencesPatchSchema = z
  .strictObject(
    {
      time_zone: z
        .string({ error: 'must be an IANA time zone such as Europe/Berlin, or null' })
        .max(64, 'must be at most 64 characters')
        .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')
        .nullable()
        .optional(),
      page_size: z.coerce
        .number({ error: `must be one of: ${PAGE_SIZES.join(', ')}` })
        .refine((n) => (PAGE_SIZES as readonly number[]).includes(n), `must be one of: ${PAGE_SIZES.join(', ')}`)
        .nullable()
        .optional(),
    },
    strictKeys(),
  )
  .refine((b) => Object.keys(b).length > 0, 'send at least one of: time_zone, page_size');
export type PreferencesPatch = z.infer<typeof preferencesPatchSchema>;

export async function getListPreferences(ctx: AppContext, actor: Actor | null): Promise<ListPreferences> {
  requireStaff(actor);
  const { rows } = await ctx.db.pool.query<{ time_zone: string | null; list_page_size: number | null }>(
    'SELECT time_zone, list_page_size FROM users WHERE id = $1',
    [actor.id],
  );
  return {
    timeZone: rows[0]?.time_zone ?? null,
    pageSize: (rows[0]?.list_page_size ?? null) as ListPreferences['pageSize'],
  };
}

/** Only the keys sent change (null clears one). Raw input: parsed here, for the panel and REST alike. */
export async function setListPreferences(
  ctx: AppContext,
  actor: Actor | null,
  input: unknown,
): Promise<ListPreferences> {
  requireStaff(actor);
  const patch = parseInput(preferencesPatchSchema, input);
  await ctx.db.pool.query(
    `UPDATE users SET
       time_zone = CASE WHEN $2 THEN $3 ELSE time_zone END,
       list_page_size = CASE WHEN $4 THEN $5::smallint ELSE list_page_size END
     WHERE id = $1`,
    [actor.id, 'time_zone' in patch, patch.time_zone ?? null, 'page_size' in patch, patch.page_size ?? null],
  );
  return getListPreferences(ctx, actor);
}

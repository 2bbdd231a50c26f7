// SLA attainment for GET /api/v1/contact/stats/overview (`sla`): the share of clocks that met
// their target over the last 7 and 30 days, per priority and per moderator (the assignee), and
// the median first response in business hours of the calendar.
//
// A clock counts in the window in which its outcome was decided: a first response when it was
// given (met: by its due time), an unanswered open ticket when its due time passed (missed); a
// resolution when the ticket was resolved, an open ticket when its running clock passed the due
// time (missed; one that breached before the ticket started waiting on the customer too).
// The reads scan the window's tickets (index ranges on sla_first_response_at / resolved_at /
// the due times), so the figures are computed at most once a minute per process (MEMO_MS): the
// overview stays cheap however often dashboards poll it.
import { z } from 'zod';
import { requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { TICKET_PRIORITIES } from '../contact/ticket.fields.js';
import { businessMsBetween } from './business-hours.js';
import { loadSlaSettings } from './sla.service.js';

const DAY = 86_400_000;
const MEMO_MS = 60_000;
/** Above this many first responses in a window the median is taken over a fixed-hash sample of this size. */
export const MEDIAN_SAMPLE = 2_000;

export interface Attainment {
  met: number;
  missed: number;
  /** met / (met + missed) in percent, one decimal; null when nothing was decided. */
  percent: number | null;
}
interface Pair {
  firstResponse: Attainment;
  resolution: Attainment;
}
export interface SlaStats {
  last7d: Pair & { medianFirstResponseBusinessSeconds: number | null };
  last30d: Pair & { medianFirstResponseBusinessSeconds: number | null };
  byPriority30d: Record<string, Pair>;
  byModerator30d: Array<{ id: string; name: string; email: string } & Pair>;
}

const memo = new WeakMap<AppContext, { at: number; stats: SlaStats }>();

const attainment = (met: number, missed: number): Attainment => ({
  met,
  missed,
  percent: met + missed ? Math.round((1000 * met) / (met + missed)) / 10 : null,
});

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return Math.round(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
};

export async function slaStats(ctx: AppContext, actor: Actor | null): Promise<SlaStats> {
  requireStaff(actor);
  const now = ctx.clock.now();
  const cached = memo.get(ctx);
  if (cached && now.getTime() - cached.at >= 0 && now.getTime() - cached.at < MEMO_MS) return cached.stats;
  const stats = await readSlaStats(ctx, now);
  memo.set(ctx, { at: now.getTime(), stats });
  return stats;
}

async function readSlaStats(ctx: AppContext, now: Date): Promise<SlaStats> {
  const from30 = new Date(now.getTime() - 30 * DAY);
  const from7 = new Date(now.getTime() - 7 * DAY);
  const pool = ctx.db.pool;
  const [outcomes, responses, settings] = await Promise.all([
    pool.query<{
      target: 'fr' | 'res';
      priority: string;
      who: string | null;
      recent: boolean;
      met: number;
      missed: number;
    }>(
      `WITH decided AS (
         SELECT 'fr' AS target, priority, assigned_to_id AS who,
           COALESCE(sla_first_response_at, sla_first_response_due_at) >= $2 AS recent,
           sla_first_response_at IS NOT NULL AND sla_first_response_at <= sla_first_response_due_at AS met
         FROM contact_submissions
         WHERE sla_first_response_due_at IS NOT NULL
           AND ((sla_first_response_at >= $1 AND sla_first_response_at < $3)
             OR (sla_first_response_at IS NULL AND status IN ('pending', 'in_progress')
                 AND sla_first_response_due_at >= $1 AND sla_first_response_due_at < $3))
         UNION ALL
         SELECT 'res', priority, assigned_to_id,
           CASE WHEN status IN ('resolved', 'archived') THEN resolved_at ELSE sla_resolution_due_at END >= $2,
           status IN ('resolved', 'archived') AND resolved_at <= sla_resolution_due_at
         FROM contact_submissions
         WHERE sla_resolution_due_at IS NOT NULL
           AND ((status IN ('resolved', 'archived') AND resolved_at >= $1 AND resolved_at < $3)
             OR (status IN ('pending', 'in_progress') AND sla_resolution_due_at >= $1 AND sla_resolution_due_at < $3
                 AND (sla_paused_since IS NULL OR sla_resolution_due_at <= sla_paused_since)))
       )
       SELECT target, priority::text, who, recent, count(*) FILTER (WHERE met)::int AS met,
         count(*) FILTER (WHERE NOT met)::int AS missed
       FROM decided GROUP BY 1, 2, 3, 4`,
      [from30, from7, now],
    ),
    pool.query<{ created_at: Date; at: Date }>(
      `SELECT created_at, sla_first_response_at AS at FROM contact_submissions
       WHERE sla_first_response_at >= $1 AND sla_first_response_at < $2
       ORDER BY md5(id::text) LIMIT $3`,
      [from30, now, MEDIAN_SAMPLE],
    ),
    loadSlaSettings(pool),
  ]);
  const sum = (rows: typeof outcomes.rows, target: 'fr' | 'res') =>
    attainment(
      rows.filter((r) => r.target === target).reduce((n, r) => n + r.met, 0),
      rows.filter((r) => r.target === target).reduce((n, r) => n + r.missed, 0),
    );
  const pair = (rows: typeof outcomes.rows): Pair => ({ firstResponse: sum(rows, 'fr'), resolution: sum(rows, 'res') });
  const all = outcomes.rows;
  const recent = all.filter((r) => r.recent);
  const business = (rows: Array<{ created_at: Date; at: Date }>) =>
    median(rows.map((r) => businessMsBetween(settings.calendar, r.created_at, r.at) / 1000));

  const who = [...new Set(all.map((r) => r.who).filter((w): w is string => !!w))];
  const users = who.length
    ? (
        await pool.query<{ id: string; name: string; email: string }>(
          'SELECT id, name, email::text AS email FROM users WHERE id = ANY($1::uuid[]) ORDER BY name, id',
          [who],
        )
      ).rows
    : [];
  return {
    last7d: {
      ...pair(recent),
      medianFirstResponseBusinessSeconds: business(responses.rows.filter((r) => r.at >= from7)),
    },
    last30d: { ...pair(all), medianFirstResponseBusinessSeconds: business(responses.rows) },
    byPriority30d: Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, pair(all.filter((r) => r.priority === p))])),
    byModerator30d: users.map((u) => ({ ...u, ...pair(all.filter((r) => r.who === u.id)) })),
  };
}

// --- JSON (stats/overview `sla`) -----------------------------------------------------------------

const attainmentSchema = z.object({ met: z.number().int(), missed: z.number().int(), percent: z.number().nullable() });
const pairSchema = z.object({ first_response: attainmentSchema, resolution: attainmentSchema });
const windowSchema = pairSchema.extend({ median_first_response_business_seconds: z.number().nullable() });

export const slaStatsJsonSchema = z.object({
  last_7d: windowSchema,
  last_30d: windowSchema,
  by_priority_30d: z.record(z.enum(TICKET_PRIORITIES), pairSchema),
  by_moderator_30d: z.array(pairSchema.extend({ id: z.uuid(), name: z.string(), email: z.string() })),
});

const pairJson = (p: Pair) => ({ first_response: p.firstResponse, resolution: p.resolution });
const windowJson = (w: SlaStats['last7d']) => ({
  ...pairJson(w),
  median_first_response_business_seconds: w.medianFirstResponseBusinessSeconds,
});

export function toSlaStatsJson(s: SlaStats): z.infer<typeof slaStatsJsonSchema> {
  return {
    last_7d: windowJson(s.last7d),
    last_30d: windowJson(s.last30d),
    by_priority_30d: Object.fromEntries(Object.entries(s.byPriority30d).map(([k, v]) => [k, pairJson(v)])) as z.infer<
      typeof slaStatsJsonSchema
    >['by_priority_30d'],
    by_moderator_30d: s.byModerator30d.map((m) => ({ id: m.id, name: m.name, email: m.email, ...pairJson(m) })),
  };
}

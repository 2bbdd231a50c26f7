// The SLA settings use cases: staff read the calendar and the policies, admins replace them.
// A change queues the recomputation of every open ticket's due times in the same transaction
// (the task sla_recompute_open, one waiting run at most), so no request waits on a large queue.
// A staff member's digest opt-out lives here too (users.digest_opt_out).
import { requireAdmin, requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { inPgTransaction, type AuditSource } from '../db/tx.js';
import { parseInput } from '../shared/input.js';
import type { BusinessCalendar } from './business-hours.js';
import { calendarSchema, digestPreferenceSchema, policiesSchema } from './sla.schema.js';
import type { SlaPolicyRow } from './sla.policy.js';
import { loadSlaSettings } from './sla.service.js';

export const RECOMPUTE_TASK = 'sla_recompute_open';

export interface SettingsMeta {
  source: AuditSource;
  requestId?: string | null;
}

const QUEUE_RECOMPUTE = `SELECT graphile_worker.add_job('${RECOMPUTE_TASK}', '{}'::json,
  job_key := 'sla:recompute_open', max_attempts := 5)`;

export async function getCalendar(ctx: AppContext, actor: Actor | null): Promise<BusinessCalendar> {
  requireStaff(actor);
  return (await loadSlaSettings(ctx.db.pool)).calendar;
}

export async function getPolicies(ctx: AppContext, actor: Actor | null): Promise<SlaPolicyRow[]> {
  requireStaff(actor);
  return (await loadSlaSettings(ctx.db.pool)).policies;
}

/** Replaces the calendar (raw input, parsed here for REST and any other caller alike). */
export async function putCalendar(
  ctx: AppContext,
  actor: Actor | null,
  input: unknown,
  meta: SettingsMeta,
): Promise<BusinessCalendar> {
  requireAdmin(actor);
  const c = parseInput(calendarSchema, input);
  await inPgTransaction(ctx.db, { actorId: actor.id, ...meta }, async (client) => {
    await client.query(
      `INSERT INTO sla_calendars (id, time_zone, weekly_hours, holiday_country, holiday_region, holidays, updated_at)
       VALUES (1, $1, $2, $3, $4, $5::date[], $6)
       ON CONFLICT (id) DO UPDATE SET time_zone = $1, weekly_hours = $2, holiday_country = $3, holiday_region = $4,
         holidays = $5::date[], updated_at = $6`,
      [c.time_zone, JSON.stringify(c.weekly_hours), c.holiday_country, c.holiday_region, c.holidays, ctx.clock.now()],
    );
    await client.query(QUEUE_RECOMPUTE);
  });
  return getCalendar(ctx, actor);
}

/** Replaces every policy row (a priority left out has no SLA). */
export async function putPolicies(
  ctx: AppContext,
  actor: Actor | null,
  input: unknown,
  meta: SettingsMeta,
): Promise<SlaPolicyRow[]> {
  requireAdmin(actor);
  const { policies } = parseInput(policiesSchema, input);
  await inPgTransaction(ctx.db, { actorId: actor.id, ...meta }, async (client) => {
    await client.query('DELETE FROM sla_policies');
    await client.query(
      `INSERT INTO sla_policies (priority, category, first_response_minutes, resolution_minutes, updated_at)
       SELECT p, c, f, r, $5 FROM unnest($1::"TicketPriority"[], $2::"TicketCategory"[], $3::int[], $4::int[])
         AS x(p, c, f, r)`,
      [
        policies.map((p) => p.priority),
        policies.map((p) => p.category),
        policies.map((p) => p.first_response_minutes),
        policies.map((p) => p.resolution_minutes),
        ctx.clock.now(),
      ],
    );
    await client.query(QUEUE_RECOMPUTE);
  });
  return getPolicies(ctx, actor);
}

export async function getDigestOptOut(ctx: AppContext, actor: Actor | null): Promise<boolean> {
  requireStaff(actor);
  const { rows } = await ctx.db.pool.query<{ digest_opt_out: boolean }>(
    'SELECT digest_opt_out FROM users WHERE id = $1',
    [actor.id],
  );
  return rows[0]?.digest_opt_out ?? false;
}

/** The caller's own morning-digest opt-out (profile). */
export async function setDigestOptOut(ctx: AppContext, actor: Actor | null, input: unknown): Promise<boolean> {
  requireStaff(actor);
  const { digest_opt_out } = parseInput(digestPreferenceSchema, input);
  await ctx.db.pool.query('UPDATE users SET digest_opt_out = $2 WHERE id = $1', [actor.id, digest_opt_out]);
  return digest_opt_out;
}

// Keeps the SLA due times stored on tickets true. Every change that moves a clock calls in here
// inside its own transaction (ticket-changes.ts applyChanges: status, priority, category and the
// thread; submit-writer.ts: new tickets; conversation.service.ts: a staff reply without a status
// change). The inputs are loaded here and handed to the one pure computeSla (sla.policy.ts).
import type pg from 'pg';
import type { Db } from '../db/client.js';
import { withPgTransaction } from '../db/tx.js';
import type { BusinessCalendar, TimeWindow } from './business-hours.js';
import { computeSla, pickPolicy, type SlaEvent, type SlaPolicyRow, type SlaState } from './sla.policy.js';

export interface SlaSettings {
  calendar: BusinessCalendar;
  policies: SlaPolicyRow[];
}

type Queryable = pg.ClientBase | pg.Pool;

const CLOSED = new Set(['resolved', 'archived']);

/** The calendar and the policies as two JSON columns (a select list: combined into other reads). */
const SETTINGS_COLUMNS = `
  (SELECT json_build_object('timeZone', time_zone, 'weeklyHours', weekly_hours, 'holidayCountry', holiday_country,
     'holidayRegion', holiday_region, 'holidays', to_json(holidays)) FROM sla_calendars WHERE id = 1) AS calendar,
  (SELECT json_agg(json_build_object('priority', priority, 'category', category,
     'firstResponseMinutes', first_response_minutes, 'resolutionMinutes', resolution_minutes)
     ORDER BY priority, category NULLS FIRST) FROM sla_policies) AS policies`;

type SettingsRow = { calendar: Record<string, unknown> | null; policies: SlaPolicyRow[] | null };

function settingsOf(row: SettingsRow | undefined): SlaSettings {
  const c = row?.calendar;
  // Without a calendar row there are no business hours to count in: no SLA at all.
  if (!c)
    return {
      calendar: { timeZone: 'UTC', weeklyHours: {}, holidayCountry: null, holidayRegion: null, holidays: [] },
      policies: [],
    };
  return {
    calendar: {
      timeZone: c.timeZone as string,
      weeklyHours: c.weeklyHours as Record<string, TimeWindow[]>,
      holidayCountry: (c.holidayCountry as string | null) ?? null,
      holidayRegion: (c.holidayRegion as string | null) ?? null,
      holidays: (c.holidays as string[] | null) ?? [],
    },
    policies: row?.policies ?? [],
  };
}

/** The calendar and the policies, in one round trip. */
export async function loadSlaSettings(db: Queryable): Promise<SlaSettings> {
  const { rows } = await db.query<SettingsRow>(`SELECT ${SETTINGS_COLUMNS}`);
  return settingsOf(rows[0]);
}

/** Due times of a brand-new ticket (no events yet): written by the submit's own INSERT. */
export function initialSla(settings: SlaSettings, ticket: { priority: string; category: string }, now: Date): SlaState {
  const policy = pickPolicy(settings.policies, ticket.priority, ticket.category);
  return computeSla(policy, settings.calendar, { createdAt: now, events: [] }, now);
}

/** The change of one ticket as applyChanges sees it (the row before, the columns set). */
export interface SlaChange {
  ticket: { id: string; status: string; priority?: unknown; category?: unknown };
  set: Record<string, unknown>;
}

/**
 * Called by applyChanges BEFORE it writes `changes`: records closes / reopens on the app's clock
 * and computes the SLA state of the tickets whose clocks may have moved (a status, priority or
 * category change, or `threadChanged`: a public message was added), with the changed priority and
 * category. applyChanges writes the states with its own UPDATE: one row version and one run of the
 * row triggers per ticket instead of two (measured with bench/inbound.ts).
 */
export async function slaForChanges(
  client: pg.ClientBase,
  now: Date,
  changes: readonly SlaChange[],
  opts: { threadChanged?: boolean } = {},
): Promise<Map<string, SlaState>> {
  const flips = changes.filter(
    ({ ticket, set }) => typeof set.status === 'string' && CLOSED.has(set.status) !== CLOSED.has(ticket.status),
  );
  if (flips.length) {
    await client.query(
      `INSERT INTO sla_status_events (ticket_id, at, closed) SELECT unnest($1::uuid[]), $2, unnest($3::boolean[])`,
      [flips.map((c) => c.ticket.id), now, flips.map((c) => CLOSED.has(c.set.status as string))],
    );
  }
  const moved = changes.filter(
    ({ set }) => opts.threadChanged || 'status' in set || 'priority' in set || 'category' in set,
  );
  if (!moved.length) return new Map();
  const sets = new Map(moved.map((c) => [c.ticket.id, c.set]));
  return computeStates(client, [...sets.keys()], now, (t) => ({
    ...t,
    priority: (sets.get(t.id)!.priority as string | undefined) ?? t.priority,
    category: (sets.get(t.id)!.category as string | undefined) ?? t.category,
  }));
}

/** Recomputes and stores the SLA state of the given tickets from their thread and status history. */
export async function recomputeSla(
  client: pg.ClientBase,
  ticketIds: readonly string[],
  now: Date,
  /** The caller holds the rows' locks already (applyChanges, a staff reply): one read less. */
  opts: { locked?: boolean } = {},
): Promise<void> {
  const ids = [...new Set(ticketIds)];
  if (!ids.length) return;
  // Locked before the events are read (a separate statement: one statement reads one snapshot),
  // so a concurrent change either committed before and is seen, or waits for this transaction.
  if (!opts.locked) {
    await client.query('SELECT 1 FROM contact_submissions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [ids]);
  }
  await writeSla(client, ids, await computeStates(client, ids, now));
}

/** Stores computed states (derived: updated_at, the row's edit version, stays; the audit trigger ignores sla_*). */
export async function writeSla(
  client: pg.ClientBase,
  ids: readonly string[],
  states: ReadonlyMap<string, SlaState>,
): Promise<void> {
  const known = ids.filter((id) => states.has(id));
  if (!known.length) return;
  await client.query(
    `UPDATE contact_submissions t SET ${SLA_ASSIGNMENTS}
     FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
       AS u(id, fr_due, fr_at, res_due, paused)
     WHERE t.id = u.id`,
    slaParams(known, states),
  );
}

/** The SLA columns set from `u` (unnest of slaParams as id, fr_due, fr_at, res_due, paused). */
export const SLA_ASSIGNMENTS = `sla_first_response_due_at = u.fr_due, sla_first_response_at = u.fr_at,
       sla_resolution_due_at = u.res_due, sla_paused_since = u.paused`;

/** Ids and the four SLA columns as parallel arrays (unnest parameters), in the order of `ids`. */
export function slaParams(ids: readonly string[], states: ReadonlyMap<string, SlaState>): unknown[][] {
  const of = ids.map((id) => states.get(id)!);
  return [
    [...ids],
    of.map((s) => s.firstResponseDueAt),
    of.map((s) => s.firstResponseAt),
    of.map((s) => s.resolutionDueAt),
    of.map((s) => s.pausedSince),
  ];
}

type SlaTicket = { id: string; created_at: Date; priority: string; category: string };

/** Settings, tickets and their events in one round trip (measured: bench/sla.ts), then computeSla. */
async function computeStates(
  client: pg.ClientBase,
  ids: readonly string[],
  now: Date,
  adjust: (t: SlaTicket) => SlaTicket = (t) => t,
): Promise<Map<string, SlaState>> {
  const { rows } = await client.query<
    SettingsRow & {
      tickets: Array<{ id: string; created_at: string; priority: string; category: string }> | null;
      events: Array<{ ticket_id: string; at: string; type: SlaEvent['type'] }> | null;
    }
  >(
    `SELECT ${SETTINGS_COLUMNS},
       (SELECT json_agg(json_build_object('id', id, 'created_at', created_at, 'priority', priority, 'category', category))
          FROM contact_submissions WHERE id = ANY($1::uuid[])) AS tickets,
       (SELECT json_agg(e) FROM (
          SELECT ticket_id, created_at AS at,
            CASE kind WHEN 'reply' THEN 'staff_reply' ELSE 'customer_message' END AS type
          FROM ticket_messages WHERE ticket_id = ANY($1::uuid[]) AND kind IN ('reply', 'customer')
          UNION ALL
          SELECT ticket_id, at, CASE WHEN closed THEN 'closed' ELSE 'reopened' END
          FROM sla_status_events WHERE ticket_id = ANY($1::uuid[])) e) AS events`,
    [ids],
  );
  const settings = settingsOf(rows[0]);
  const byTicket = new Map<string, SlaEvent[]>();
  for (const e of rows[0]?.events ?? []) {
    const list = byTicket.get(e.ticket_id) ?? [];
    list.push({ at: new Date(e.at), type: e.type });
    byTicket.set(e.ticket_id, list);
  }
  const states = new Map<string, SlaState>();
  for (const row of rows[0]?.tickets ?? []) {
    const t = adjust({ ...row, created_at: new Date(row.created_at) });
    const policy = pickPolicy(settings.policies, t.priority, t.category);
    states.set(
      t.id,
      computeSla(policy, settings.calendar, { createdAt: t.created_at, events: byTicket.get(t.id) ?? [] }, now),
    );
  }
  return states;
}

/**
 * Every open ticket again (after the policy or calendar changed), one short transaction per
 * batch so edits are never held up for long. Returns how many.
 */
export async function recomputeOpenTickets(db: Db, now: Date): Promise<number> {
  let done = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await db.pool.query<{ id: string }>(
      `SELECT id FROM contact_submissions WHERE status IN ('pending', 'in_progress') AND id > $1 ORDER BY id LIMIT 500`,
      [after],
    );
    if (!rows.length) return done;
    const ids = rows.map((r) => r.id);
    await withPgTransaction(db, (client) => recomputeSla(client, ids, now));
    done += rows.length;
    after = rows.at(-1)!.id;
  }
}

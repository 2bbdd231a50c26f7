// The SLA rules, pure: which policy applies to a ticket, and THE function that computes its due
// times from (policy, calendar, ticket events, now). Everything that stores, shows, filters or
// alerts on SLA due times derives from computeSla; sla.service.ts only loads its inputs and
// writes its output.
//
// First response: the first public staff reply (a note is not a response). Its clock never
// pauses: before the first reply the last public message is always the customer's.
// Resolution: counts from creation while the ticket is "on us": it pauses while the ticket waits
// on the customer (the last public message is ours) and resumes on their reply, and it stops
// while the ticket is closed (resolved / archived) and resumes on reopen.
import { addBusinessMinutes, businessMsBetween, type BusinessCalendar } from './business-hours.js';

import type { SlaTarget } from './sla.clock.js';
export type { SlaTarget };
export const SLA_TARGETS: readonly SlaTarget[] = ['first_response', 'resolution'];

export interface SlaTargets {
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

export interface SlaPolicyRow extends SlaTargets {
  priority: string;
  /** null: the priority's general row; a category row wins over it. */
  category: string | null;
}

export type SlaEventType = 'staff_reply' | 'customer_message' | 'closed' | 'reopened';
export interface SlaEvent {
  at: Date;
  type: SlaEventType;
}

export interface SlaState {
  firstResponseDueAt: Date | null;
  firstResponseAt: Date | null;
  /**
   * When the resolution target is (or was) reached: the moment the running clock crossed it, or,
   * while the clock is stopped, when it would be reached if it resumed at the stop.
   */
  resolutionDueAt: Date | null;
  /** Since when the ticket waits on the customer (null: the clock runs, or the ticket is closed). */
  pausedSince: Date | null;
}

/** The list's "breaching soon" window (the alert mail uses SLA_WARN_MINUTES). */
export const BREACHING_SOON_MINUTES = 60;

export function pickPolicy(policies: readonly SlaPolicyRow[], priority: string, category: string): SlaTargets | null {
  return (
    policies.find((p) => p.priority === priority && p.category === category) ??
    policies.find((p) => p.priority === priority && p.category === null) ??
    null
  );
}

/** Orders same-instant events as they happen in one transaction: a reply that resolves replies first. */
const ORDER: Record<SlaEventType, number> = { customer_message: 0, reopened: 1, staff_reply: 2, closed: 3 };

export function computeSla(
  policy: SlaTargets | null,
  cal: BusinessCalendar,
  ticket: { createdAt: Date; events: readonly SlaEvent[] },
  now: Date,
): SlaState {
  const events = ticket.events
    .filter((e) => e.at.getTime() <= now.getTime())
    .sort((a, b) => a.at.getTime() - b.at.getTime() || ORDER[a.type] - ORDER[b.type]);
  const firstResponseAt = events.find((e) => e.type === 'staff_reply')?.at ?? null;
  if (!policy) return { firstResponseDueAt: null, firstResponseAt, resolutionDueAt: null, pausedSince: null };

  const target = policy.resolutionMinutes * 60_000;
  let waiting = false;
  let closed = false;
  let consumed = 0;
  let since = ticket.createdAt; // start of the current running or stopped stretch
  let due: Date | null = null;
  for (const e of events) {
    const wasRunning = !waiting && !closed;
    if (e.type === 'staff_reply') waiting = true;
    else if (e.type === 'customer_message') waiting = false;
    else if (e.type === 'closed') closed = true;
    else closed = false;
    const running = !waiting && !closed;
    if (wasRunning === running) continue;
    if (wasRunning) {
      const ran = businessMsBetween(cal, since, e.at);
      if (!due && consumed + ran >= target) due = addBusinessMinutes(cal, since, (target - consumed) / 60_000);
      consumed += ran;
    }
    since = e.at;
  }
  const running = !waiting && !closed;
  due ??= addBusinessMinutes(cal, since, Math.max(0, target - consumed) / 60_000);
  return {
    firstResponseDueAt: addBusinessMinutes(cal, ticket.createdAt, policy.firstResponseMinutes),
    firstResponseAt,
    resolutionDueAt: due,
    pausedSince: !running && waiting && !closed ? since : null,
  };
}

// The display of a clock lives in sla.clock.ts (no imports: the panel's bundle uses it too).
export { currentClock, describeClock, humanSpan, type SlaPhase } from './sla.clock.js';

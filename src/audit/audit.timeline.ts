// Turns stored snapshots into a readable timeline: each event's changes as { field, from, to }
// (from the previous event of the same ticket), with the ticket's email deliveries merged in.
import type {
  ActorSummary,
  ChangeEntry,
  EmailEntry,
  FieldChange,
  HistoryEntry,
  MessageEntry,
  TagEntry,
  TimelineEntry,
} from './audit.schema.js';
import type { DeliveryRow, MessageRow, TagEventRow, TicketEventRow } from './audit.repository.js';

export type UserNames = Map<string, { name: string; email: string }>;

const asJson = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : (v ?? null));

function actorOf(id: string | null, users: UserNames): ActorSummary | null {
  if (!id) return null;
  const known = users.get(id);
  // An actor with no user row and no user event left: still say who it was, by id.
  return { id, name: known?.name ?? '', email: known?.email ?? '' };
}

/**
 * Changes of one event. An update's "from" is the previous snapshot; an update with no earlier
 * event (a row older than the audit trail) reports from = null. Inserts go from null, deletes to null.
 */
function changesOf(event: TicketEventRow, previous: TicketEventRow | undefined): FieldChange[] {
  return event.changed_fields.map((field) => {
    const value = asJson(event[field as keyof TicketEventRow]);
    if (event.operation === 'insert') return { field, from: null, to: value };
    if (event.operation === 'delete') return { field, from: value, to: null };
    return { field, from: previous ? asJson(previous[field as keyof TicketEventRow]) : null, to: value };
  });
}

export function changeEntries(events: TicketEventRow[], users: UserNames): ChangeEntry[] {
  return events.map((event, i) => ({
    type: 'change',
    id: event.event_id,
    at: event.event_at.toISOString(),
    actor: actorOf(event.actor_id, users),
    source: event.source,
    request_id: event.request_id,
    operation: event.operation,
    changes: changesOf(event, events[i - 1]),
  }));
}

interface EmailStep {
  entry: EmailEntry;
  time: number;
  /** Index of the change this step follows in time order (-1: before every change). */
  slot: number;
  order: number;
}

const STEP_ORDER = { queued: 0, sent: 1, failed: 1 } as const;

/**
 * The change that queued a delivery. A delivery's created_at is its transaction's start time,
 * slightly EARLIER than the trigger's clock_timestamp() for the change made in the same
 * transaction, so ordering by time alone would show the email before its cause. The cause is
 * found by meaning instead: confirmation/admin alerts come from the insert, the resolution email
 * from the first change to `resolved` after the delivery's transaction began.
 */
function causeIndex(events: TicketEventRow[], d: DeliveryRow): number {
  const created = d.created_at.getTime();
  return events.findIndex((e) => {
    // 1 min covers any real transaction; beyond it the match would be a guess. The 1 ms of slack
    // below: created_at is stored rounded to the millisecond, event_at is not.
    const sameTransactionWindow = e.event_at.getTime() >= created - 1 && e.event_at.getTime() <= created + 60_000;
    if (!sameTransactionWindow) return false;
    if (d.kind === 'contact_resolved') {
      return e.operation === 'update' && e.changed_fields.includes('status') && e.status === 'resolved';
    }
    return e.operation === 'insert';
  });
}

/** The last change at or before `time` (or strictly before it); -1 when there is none. */
function lastChange(events: TicketEventRow[], time: number, strictly = false): number {
  let slot = -1;
  events.forEach((e, i) => {
    const at = e.event_at.getTime();
    if (strictly ? at < time : at <= time) slot = i;
  });
  return slot;
}

/**
 * A delivery's steps, each with the time it is shown at and the change it follows. The times
 * never run backwards along a chain of causes: a queued step is shown at max(created_at, its
 * cause's event_at) — it became part of the ticket's story with that change, and created_at (the
 * transaction's start) would put it before the change — and a sent/failed step at
 * max(its own time, the queued step's), because sent_at comes from the sending app's clock.
 * Every step's time then lies between its slot's change and the next change, so merging by slot
 * keeps the whole timeline in time order.
 */
function emailSteps(events: TicketEventRow[], deliveries: DeliveryRow[]): EmailStep[] {
  const steps: EmailStep[] = [];
  for (const d of deliveries) {
    const base = { delivery_id: d.id, kind: d.kind, recipient: d.recipient, attempts: d.attempts };
    const cause = causeIndex(events, d);
    const queuedTime = Math.max(d.created_at.getTime(), cause >= 0 ? events[cause]!.event_at.getTime() : -Infinity);
    const step = (status: EmailEntry['status'], time: number, slot: number, error: string | null): EmailStep => ({
      entry: { type: 'email', id: `${d.id}:${status}`, at: new Date(time).toISOString(), ...base, status, error },
      time,
      slot,
      order: STEP_ORDER[status],
    });
    // Right after its cause, unless a later change is already older than the queued time.
    const queuedSlot =
      cause >= 0 ? Math.max(cause, lastChange(events, queuedTime, true)) : lastChange(events, queuedTime);
    steps.push(step('queued', queuedTime, queuedSlot, null));
    const outcome =
      d.status === 'sent' && d.sent_at
        ? { status: 'sent' as const, at: d.sent_at.getTime(), error: null }
        : d.status === 'failed'
          ? { status: 'failed' as const, at: d.updated_at.getTime(), error: d.last_error }
          : null;
    if (outcome) {
      const time = Math.max(outcome.at, queuedTime);
      steps.push(step(outcome.status, time, lastChange(events, time), outcome.error));
    }
  }
  return steps;
}

/** Changes (in event order) and email steps merged; returned newest first. */
export function mergeTimeline(
  events: TicketEventRow[],
  changes: ChangeEntry[],
  deliveries: DeliveryRow[],
): HistoryEntry[] {
  const steps = emailSteps(events, deliveries).sort(
    (a, b) =>
      a.slot - b.slot ||
      a.time - b.time ||
      a.order - b.order ||
      a.entry.kind.localeCompare(b.entry.kind) ||
      a.entry.recipient.localeCompare(b.entry.recipient),
  );
  const chronological: HistoryEntry[] = [];
  let next = 0;
  const flushSlot = (slot: number) => {
    while (next < steps.length && steps[next]!.slot === slot) chronological.push(steps[next++]!.entry);
  };
  flushSlot(-1);
  changes.forEach((change, i) => {
    chronological.push(change);
    flushSlot(i);
  });
  return chronological.reverse();
}

export function messageEntries(messages: MessageRow[], users: UserNames): MessageEntry[] {
  return messages.map((m) => ({
    type: 'message',
    id: m.id,
    at: m.created_at.toISOString(),
    actor: actorOf(m.author_id, users),
    source: m.source,
    request_id: m.request_id,
    kind: m.kind,
    author_name: m.author_name,
    author_email: m.author_email,
  }));
}

export function tagEntries(events: TagEventRow[], users: UserNames): TagEntry[] {
  return events.map((e) => ({
    type: 'tag',
    id: `tag:${e.event_id}`,
    at: e.event_at.toISOString(),
    actor: actorOf(e.actor_id, users),
    source: e.source,
    request_id: e.request_id,
    change: e.operation === 'delete' ? 'removed' : 'added',
    tag: e.tag_name,
  }));
}

/**
 * Puts thread messages (and tag changes) into a newest-first timeline by time. At the same
 * instant a message comes below (before) the changes and emails of its transaction: a reply
 * causes the status change and the reply email, never the other way round.
 */
export function withMessages(timeline: HistoryEntry[], messages: Array<MessageEntry | TagEntry>): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const pending = [...messages].sort((a, b) => b.at.localeCompare(a.at));
  for (const entry of timeline) {
    while (pending.length && pending[0]!.at > entry.at) out.push(pending.shift()!);
    out.push(entry);
  }
  return [...out, ...pending];
}

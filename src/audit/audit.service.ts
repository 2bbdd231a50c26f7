// Reading the audit trail: a ticket's history for moderators, the whole event log for admins.
// There is deliberately no function here (or anywhere in the app) that writes, edits or deletes
// an event: the database triggers write them, and a trigger refuses any change afterwards.
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { requireAdmin, requireStaff } from '../auth/access.js';
import { notFound } from '../errors.js';
import { assertUuid } from '../shared/ids.js';
import { parseInput } from '../shared/input.js';
import {
  findTicketNumber,
  listEvents,
  loadTicketDeliveries,
  loadTicketEvents,
  loadTicketMessages,
  loadTicketTagEvents,
  resolveUserNames,
  USER_REFERENCE_FIELDS,
} from './audit.repository.js';
import {
  auditListFiltersSchema,
  type AuditEventPage,
  type AuditListFilters,
  type TicketHistory,
} from './audit.schema.js';
import { changeEntries, mergeTimeline, messageEntries, tagEntries, withMessages } from './audit.timeline.js';

/**
 * Who changed what, when and through which path, plus the ticket's emails, newest first.
 * Works for deleted tickets: the events (and the deliveries, by ticket number) remain.
 */
export async function getTicketHistory(ctx: AppContext, actor: Actor | null, ticketId: string): Promise<TicketHistory> {
  requireStaff(actor);
  assertUuid(ticketId);
  const db = ctx.db.pool;
  const [events, currentNumber] = await Promise.all([loadTicketEvents(db, ticketId), findTicketNumber(db, ticketId)]);
  if (!events.length && currentNumber === null) throw notFound('Ticket');

  const ticketNumber = currentNumber ?? (events.at(-1)?.ticket_number as string | undefined) ?? null;
  const [deliveries, messages, tagEvents] = await Promise.all([
    loadTicketDeliveries(db, ticketId, ticketNumber),
    loadTicketMessages(db, ticketId),
    loadTicketTagEvents(db, ticketId),
  ]);

  const userIds = new Set<string>(tagEvents.flatMap((e) => (e.actor_id ? [e.actor_id] : [])));
  for (const e of events) {
    if (e.actor_id) userIds.add(e.actor_id);
    for (const m of messages) if (m.author_id) userIds.add(m.author_id);
    for (const field of USER_REFERENCE_FIELDS) {
      const value = e[field as keyof typeof e];
      if (typeof value === 'string') userIds.add(value);
    }
  }
  const users = await resolveUserNames(db, [...userIds]);
  const changes = changeEntries(events, users);

  return {
    ticket_id: ticketId,
    ticket_number: ticketNumber,
    deleted: currentNumber === null,
    users: Object.fromEntries(users),
    entries: withMessages(mergeTimeline(events, changes, deliveries), [
      ...messageEntries(messages, users),
      ...tagEntries(tagEvents, users),
    ]),
  };
}

/** Admins: every event (tickets by default, or user accounts), filtered, newest first. */
export async function listAuditEvents(
  ctx: AppContext,
  actor: Actor | null,
  filters: AuditListFilters,
): Promise<AuditEventPage> {
  requireAdmin(actor);
  const f = parseInput(auditListFiltersSchema, filters);
  const db = ctx.db.pool;
  // One extra row tells whether an older page exists.
  const rows = await listEvents(db, {
    entity: f.entity,
    actorId: f.actor_id,
    source: f.source,
    entityId: f.entity_id,
    ticketNumber: f.ticket_number,
    from: f.from,
    to: f.to,
    before: f.before,
    limit: f.limit + 1,
  });
  const page = rows.slice(0, f.limit);
  const users = await resolveUserNames(
    db,
    page.flatMap((r) => (r.actor_id ? [r.actor_id] : [])),
  );
  return {
    events: page.map((r) => {
      const known = r.actor_id ? users.get(r.actor_id) : undefined;
      return {
        id: r.event_id,
        at: r.event_at.toISOString(),
        entity: f.entity,
        entity_id: r.entity_id,
        label: r.label,
        actor: r.actor_id ? { id: r.actor_id, name: known?.name ?? '', email: known?.email ?? '' } : null,
        source: r.source,
        request_id: r.request_id,
        operation: r.operation,
        changed_fields: r.changed_fields,
      };
    }),
    next_before: rows.length > f.limit ? page.at(-1)!.event_id : null,
  };
}

// The views every moderator has. Each is a plain list query, like a saved one; "Breaching soon"
// is computed per request (its window is relative to now) from the SLA due-time filter.
import { ticketListQuerySchema } from '../contact/ticket.filters.js';
import type { SavedView } from './views.service.js';
import type { ViewQuery } from './views.schema.js';

const OPEN = ['pending', 'in_progress'];
/** "Soon": the SLA alert's horizon — the next four hours (business or not: it is a wall clock). */
export const BREACHING_SOON_MS = 4 * 3_600_000;

const builtin = (id: string, name: string, query: ViewQuery): SavedView => ({
  id,
  name,
  query,
  builtin: true,
  shared: true,
  owner: null,
  editable: false,
});

/**
 * Breaching soon = open and due (resolution) within BREACHING_SOON_MS, soonest first — when the
 * filter parser offers the SLA due-time range (src/sla declares the due fields); without SLA
 * clocks the view does not exist.
 */
function breachingSoon(now: Date): SavedView | null {
  const shape = ticketListQuerySchema.shape as Record<string, unknown>;
  if (!('sla_resolution_due_before' in shape)) return null;
  return builtin('breaching-soon', 'Breaching soon', {
    status: OPEN,
    sla_resolution_due_before: new Date(now.getTime() + BREACHING_SOON_MS).toISOString(),
    ordering: 'sla_resolution_due_at',
  });
}

export function builtinViews(now: Date): SavedView[] {
  return [
    builtin('my-open', 'My open', { status: OPEN, assigned_to: 'me' }),
    builtin('unassigned', 'Unassigned', { status: OPEN, assigned_to: 'none' }),
    breachingSoon(now),
    builtin('waiting-on-customer', 'Waiting on customer', { status: OPEN, waiting_on: 'customer' }),
  ].filter((v): v is SavedView => v !== null);
}

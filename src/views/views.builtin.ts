// The views every moderator has. Each is a plain list query, like a saved one: the rules behind
// them live in the filter parser (src/contact/ticket.filters.ts, src/sla/sla.filter.ts).
import type { SavedView } from './views.service.js';
import type { ViewQuery } from './views.schema.js';

const OPEN = ['pending', 'in_progress'];

const builtin = (id: string, name: string, query: ViewQuery): SavedView => ({
  id,
  name,
  query,
  builtin: true,
  shared: true,
  owner: null,
  editable: false,
});

export const BUILTIN_VIEWS: readonly SavedView[] = [
  builtin('my-open', 'My open', { status: OPEN, assigned_to: 'me' }),
  builtin('unassigned', 'Unassigned', { status: OPEN, assigned_to: 'none' }),
  // Open, a running clock due within the SLA alert's horizon; soonest resolution first.
  builtin('breaching-soon', 'Breaching soon', { sla: 'breaching_soon', ordering: 'sla_resolution_due_at' }),
  // Our reply is the newest public message (the SLA clocks are paused).
  builtin('waiting-on-customer', 'Waiting on customer', { status: OPEN, waiting_on: 'customer' }),
];

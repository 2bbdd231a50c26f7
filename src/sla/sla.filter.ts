// The list's SLA filter (`?sla=breaching_soon|breached`, views "Breaching soon"): SQL over the due
// times stored on the ticket. Only open tickets have running clocks; a paused resolution clock
// (waiting on the customer) neither breaches nor is about to.
import { BREACHING_SOON_MINUTES } from './sla.policy.js';

export const SLA_FILTER_VALUES = ['breaching_soon', 'breached'] as const;
export type SlaFilter = (typeof SLA_FILTER_VALUES)[number];

/** Due times of the running clocks, compared with `at` (SQL). `c` qualifies a column. */
function dueBy(c: (column: string) => string, at: string): string {
  return (
    `((${c('sla_first_response_at')} IS NULL AND ${c('sla_first_response_due_at')} <= ${at})` +
    ` OR (${c('sla_paused_since')} IS NULL AND ${c('sla_resolution_due_at')} <= ${at}))`
  );
}

export function slaCondition(filter: SlaFilter, c: (column: string) => string): string {
  const open = `${c('status')} IN ('pending', 'in_progress')`;
  const breached = dueBy(c, 'now()');
  if (filter === 'breached') return `(${open} AND ${breached})`;
  return `(${open} AND NOT ${breached} AND ${dueBy(c, `now() + interval '${BREACHING_SOON_MINUTES} minutes'`)})`;
}

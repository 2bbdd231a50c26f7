// The list's SLA column: the next running clock — the first response while nobody has answered,
// then the resolution — as "Due in 2 h" / "Breached 3 h ago" (red), "Paused" while the ticket
// waits on the customer, "—" for a closed ticket or one without clocks.
import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { absoluteDate, relativeAge } from './dates.js';

const OPEN = ['pending', 'in_progress'];

const SlaDueCell: React.FC<BasePropertyProps> = ({ record }) => {
  const p = record?.params ?? {};
  const none = <span style={{ color: '#6b7280' }}>—</span>;
  if (!OPEN.includes(String(p.status))) return none;
  const firstDue = !p.slaFirstResponseAt ? (p.slaFirstResponseDueAt as string | null) : null;
  const due = firstDue ?? (p.slaPausedSince ? null : (p.slaResolutionDueAt as string | null));
  if (!due) return p.slaPausedSince ? <span style={{ color: '#6b7280' }}>Paused</span> : none;
  const breached = new Date(due).getTime() <= Date.now();
  const what = firstDue ? 'First response' : 'Resolution';
  const age = relativeAge(due, Date.now());
  return (
    <span
      className="cd-cell-line"
      title={`${what} due ${absoluteDate(due)}`}
      data-testid="sla-due"
      style={{ color: breached ? '#b42318' : undefined, fontWeight: breached ? 600 : undefined }}
    >
      {breached ? `Breached ${age}` : `Due ${age}`}
    </span>
  );
};

export default SlaDueCell;

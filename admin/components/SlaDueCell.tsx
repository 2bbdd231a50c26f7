// The list's SLA column: the next running clock — the first response while nobody has answered,
// then the resolution — as "Due in 2 h" / "Breached 3 h ago" (red), "Paused" while the ticket
// waits on the customer, "—" for a closed ticket or one without clocks. Which clock and which
// words: src/sla/sla.clock.ts, the same rule as the workspace and the digest mail.
import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { currentClock, describeClock } from '../../src/sla/sla.clock.js';
import { absoluteDate } from './dates.js';

const date = (v: unknown) => (v ? new Date(String(v)) : null);

const SlaDueCell: React.FC<BasePropertyProps> = ({ record }) => {
  const p = record?.params ?? {};
  const clock = currentClock(
    {
      status: String(p.status),
      slaFirstResponseDueAt: date(p.slaFirstResponseDueAt),
      slaFirstResponseAt: date(p.slaFirstResponseAt),
      slaResolutionDueAt: date(p.slaResolutionDueAt),
      slaPausedSince: date(p.slaPausedSince),
    },
    new Date(),
  );
  if (clock.phase === 'none' || clock.phase === 'met') return <span style={{ color: '#6b7280' }}>—</span>;
  if (clock.phase === 'paused') return <span style={{ color: '#6b7280' }}>Paused</span>;
  const breached = clock.phase === 'breached';
  const what = clock.target === 'first_response' ? 'First response' : 'Resolution';
  return (
    <span
      className="cd-cell-line"
      title={`${what} due ${absoluteDate(clock.dueAt!.toISOString())}`}
      data-testid="sla-due"
      style={{ color: breached ? '#b42318' : undefined, fontWeight: breached ? 600 : undefined }}
    >
      {describeClock(clock)}
    </span>
  );
};

export default SlaDueCell;

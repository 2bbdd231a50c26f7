// How a ticket's SLA clock reads: which clock is next (first response until answered, then
// resolution), its phase and "Due in 2 h" / "Breached 3 h ago". Pure and import-free: the REST
// side (digest mails) and the panel's component bundle (WorkspaceSide) share this one place.
export type SlaTarget = 'first_response' | 'resolution';

export type SlaPhase = 'met' | 'breached' | 'due' | 'paused' | 'none';

/** The next clock a ticket's list row / workspace shows: first response until answered, then resolution. */
export function currentClock(
  t: {
    status: string;
    slaFirstResponseDueAt: Date | null;
    slaFirstResponseAt: Date | null;
    slaResolutionDueAt: Date | null;
    slaPausedSince: Date | null;
  },
  now: Date,
): { target: SlaTarget; phase: SlaPhase; dueAt: Date | null; ms: number | null } {
  const open = t.status === 'pending' || t.status === 'in_progress';
  const fr = !t.slaFirstResponseAt && t.slaFirstResponseDueAt;
  const target: SlaTarget = fr && open ? 'first_response' : 'resolution';
  const dueAt = target === 'first_response' ? t.slaFirstResponseDueAt : t.slaResolutionDueAt;
  if (!dueAt) return { target, phase: 'none', dueAt: null, ms: null };
  const ms = dueAt.getTime() - now.getTime();
  if (!open) return { target, phase: 'met', dueAt, ms };
  if (target === 'resolution' && t.slaPausedSince) return { target, phase: 'paused', dueAt, ms };
  return { target, phase: ms <= 0 ? 'breached' : 'due', dueAt, ms };
}

/** "2 h", "45 min", "3 d": a short human span (rounded down; under a minute is "1 min"). */
export function humanSpan(ms: number): string {
  const min = Math.max(1, Math.floor(Math.abs(ms) / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** "Due in 2 h" / "Breached 3 h ago" / "Paused (waiting on customer)". */
export function describeClock(c: ReturnType<typeof currentClock>): string {
  if (c.phase === 'none' || c.ms === null) return 'No SLA';
  if (c.phase === 'paused') return 'Paused (waiting on customer)';
  if (c.phase === 'met') return 'Closed';
  return c.phase === 'breached' ? `Breached ${humanSpan(c.ms)} ago` : `Due in ${humanSpan(c.ms)}`;
}

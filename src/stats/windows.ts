// Rolling windows ("the last 7 days" = the 7 × 24 h before now) over per-UTC-day aggregates. The
// days wholly inside the window come from the aggregates; the window's first day is cut by the
// window's start, and that part is counted from the tickets themselves (an index-only range scan
// of part of one day). Whichever part of that day is shorter is read: before noon the rows from
// midnight to the start are counted and taken off the day's total, after noon the rows from the
// start to the next midnight are added — so a window never reads more than half a day of rows.
import { utcDay } from '../shared/text.js';

const DAY_MS = 86_400_000;
const HALF_DAY_MS = DAY_MS / 2;

export interface WindowPlan {
  /** The window's start (its end is now). */
  start: Date;
  /** First UTC day (YYYY-MM-DD) taken whole from the aggregates; all later days up to today too. */
  fromDay: string;
  /** The part of the cut day counted from the rows: [from, to), added (+1) or taken off (-1). */
  edge: { from: Date; to: Date; sign: 1 | -1 } | null;
}

export function planWindow(now: Date, lengthMs: number): WindowPlan {
  const start = new Date(now.getTime() - lengthMs);
  const midnight = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  const into = start.getTime() - midnight;
  if (into === 0) return { start, fromDay: utcDay(start), edge: null };
  if (into < HALF_DAY_MS)
    return { start, fromDay: utcDay(start), edge: { from: new Date(midnight), to: start, sign: -1 } };
  const next = new Date(midnight + DAY_MS);
  return { start, fromDay: utcDay(next), edge: { from: start, to: next, sign: 1 } };
}

export const windowDays = (days: number) => days * DAY_MS;

/** The first UTC day of the last `days` calendar days including today. */
export function firstDayOf(now: Date, days: number): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return utcDay(new Date(today - (days - 1) * DAY_MS));
}

// Settled days: sums of the per-day stat totals over days before yesterday, kept in the server
// process between overview reads. The rolling windows' whole days are mostly such days, and
// summing them again on every read was most of what stats/overview cost at 1M tickets (the
// 30-day breakdown and duration histograms: ~2,500 and ~4,300 rows; bench:stats).
//
// Why they can be kept: a settled day's total rows only change when the deltas are folded in
// (compactTicketStats, at most once a minute), a backdated ticket is inserted, or the stats are
// rebuilt — and each of those sets ticket_stats_epoch in the same transaction (migration
// 20261205000100). The deltas themselves are always read live; a window's cut day is also kept as
// its rows (activity.ts), so a delta of a past day's total — a reopen, a deletion — sets the epoch
// too (20261205000200). So every read checks, in its own
// snapshot, that the epoch is still the one the sums were taken at, and if not drops them and
// reads again (readSnapshot in src/db/snapshot.ts): never a figure from an older state than the
// snapshot's. Per database (the pool) and per process, so several instances need no coordination.
import { StaleSnapshotPart, type SnapshotQuery } from '../db/snapshot.js';
import { utcDay } from '../shared/text.js';

const DAY_MS = 86_400_000;

interface Entry {
  /** What the sums were taken for (the caller's key: its day ranges). */
  key: string;
  epoch: string;
  rows: Record<string, unknown[]>;
}

const cache = new WeakMap<object, Map<string, Entry>>();

export interface SettledParts {
  /** The last settled day (the day before yesterday by the reader's clock): parts cover ≤ it. */
  through: string;
  /** The cached rows this read will use (checked by read()), or null: the parts are in the statement. */
  cached: Record<string, unknown[]> | null;
  /** The settled parts' rows, cached or just read; throws StaleSnapshotPart if the epoch moved. */
  read(row: Record<string, unknown>): Record<string, unknown[]>;
}

/** The last settled day for a reader at `now`: the day before yesterday (UTC). */
export const settledThrough = (now: Date) => utcDay(new Date(now.getTime() - 2 * DAY_MS));

// Always one row; epoch null if its row were ever deleted by hand (then nothing is cached).
const EPOCH_SQL = `SELECT e.epoch::text AS epoch, to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS today
  FROM (SELECT 1) one LEFT JOIN ticket_stats_epoch e ON true`;

/**
 * Adds `parts` (SQL for the totals rows up to `through`) to a snapshot read unless their rows are
 * cached for `key` at the current epoch; either way adds the epoch check.
 */
export function addSettledParts(
  q: SnapshotQuery,
  name: string,
  key: string,
  now: Date,
  parts: Record<string, (through: string) => string | null>,
): SettledParts {
  const through = settledThrough(now);
  const entries = cache.get(q.pool) ?? new Map<string, Entry>();
  cache.set(q.pool, entries);
  const hit = entries.get(name)?.key === key ? entries.get(name)! : null;
  const epochPart = `${name}_settled_epoch`;
  q.add(epochPart, EPOCH_SQL);
  if (!hit) for (const [part, sql] of Object.entries(parts)) q.add(`${name}_settled_${part}`, sql(through));
  return {
    through,
    cached: hit?.rows ?? null,
    read(row) {
      const { epoch, today } = (row[epochPart] as Array<{ epoch: string | null; today: string }>)[0]!;
      if (hit) {
        if (epoch !== null && hit.epoch === epoch) return hit.rows;
        // One epoch for all: every entry of this database is out of date, also those whose readers
        // the throw below keeps from running — the statement readSnapshot runs next has no hits.
        entries.clear();
        throw new StaleSnapshotPart(name);
      }
      const rows = Object.fromEntries(
        Object.keys(parts).map((part) => [part, row[`${name}_settled_${part}`] as unknown[]]),
      );
      // Kept only if `through` is settled by the database's clock too (the triggers go by it): a
      // reader whose clock runs ahead of the database's reads these days every time instead.
      const dbThrough = utcDay(new Date(Date.parse(`${today}T00:00:00Z`) - 2 * DAY_MS));
      if (epoch !== null && through <= dbThrough) entries.set(name, { key, epoch, rows });
      return rows;
    },
  };
}

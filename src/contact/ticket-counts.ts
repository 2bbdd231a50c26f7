// Ticket totals without counting the table: triggers on contact_submissions append signed deltas
// per (status, category, assigned) to ticket_count_deltas (insert-only, so concurrent writers never
// wait on each other); reads add them to the compacted totals in ticket_counts, all in one
// snapshot, and fold them in now and then (migration 20261127300000_ticket_counts).
import type pg from 'pg';
import type { TicketCategory, TicketStatus } from './contact.schema.js';

export interface TicketCountRow {
  status: TicketStatus;
  category: TicketCategory;
  assigned: boolean;
  n: number;
}

/** Deltas kept before a read folds them into ticket_counts. */
const COMPACT_AFTER = 1_000;
const COMPACTION_LOCK = 72_707_370;

export async function readTicketCounts(pool: pg.Pool): Promise<TicketCountRow[]> {
  const { rows } = await pool.query<TicketCountRow & { pending_deltas: number }>(
    `WITH deltas AS (SELECT status, category, assigned, delta FROM ticket_count_deltas)
     SELECT status, category, assigned, sum(n)::int AS n, (SELECT count(*) FROM deltas)::int AS pending_deltas
     FROM (SELECT status, category, assigned, n FROM ticket_counts
           UNION ALL SELECT status, category, assigned, delta FROM deltas) x
     GROUP BY status, category, assigned`,
  );
  if ((rows[0]?.pending_deltas ?? 0) > COMPACT_AFTER) await compactTicketCounts(pool);
  return rows.map(({ status, category, assigned, n }) => ({ status, category, assigned, n }));
}

/** Folds committed deltas into the totals. One compactor at a time; others skip. */
export async function compactTicketCounts(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      COMPACTION_LOCK,
    ]);
    if (rows[0]?.locked) {
      await client.query(
        `WITH moved AS (DELETE FROM ticket_count_deltas RETURNING status, category, assigned, delta),
         folded AS (SELECT status, category, assigned, sum(delta) AS d FROM moved GROUP BY 1, 2, 3)
         UPDATE ticket_counts tc SET n = tc.n + folded.d FROM folded
         WHERE tc.status = folded.status AND tc.category = folded.category AND tc.assigned = folded.assigned`,
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

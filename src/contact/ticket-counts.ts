// Ticket totals without counting the table: triggers on contact_submissions append signed deltas
// per (status, category, assigned) to ticket_count_deltas (insert-only, so concurrent writers never
// wait on each other); reads add them to the compacted totals in ticket_counts, all in one
// snapshot, and fold them in now and then (migration 20261127300000_ticket_counts).
import type pg from 'pg';
import type { Db } from '../db/client.js';
import { withPgTransaction } from '../db/tx.js';
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

export async function readTicketCounts(db: Db): Promise<TicketCountRow[]> {
  const { rows } = await db.pool.query<TicketCountRow & { pending_deltas: number }>(
    `WITH deltas AS (SELECT status, category, assigned, delta FROM ticket_count_deltas)
     SELECT status, category, assigned, sum(n)::int AS n, (SELECT count(*) FROM deltas)::int AS pending_deltas
     FROM (SELECT status, category, assigned, n FROM ticket_counts
           UNION ALL SELECT status, category, assigned, delta FROM deltas) x
     GROUP BY status, category, assigned`,
  );
  if ((rows[0]?.pending_deltas ?? 0) > COMPACT_AFTER) await compactTicketCounts(db);
  return rows.map(({ status, category, assigned, n }) => ({ status, category, assigned, n }));
}

/** Folds committed deltas into the totals. One compactor at a time; others skip. */
export async function compactTicketCounts(db: Db): Promise<void> {
  await withPgTransaction(db, async (client) => {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      COMPACTION_LOCK,
    ]);
    if (!rows[0]?.locked) return;
    await client.query(
      `WITH moved AS (DELETE FROM ticket_count_deltas RETURNING status, category, assigned, delta),
       folded AS (SELECT status, category, assigned, sum(delta) AS d FROM moved GROUP BY 1, 2, 3)
       UPDATE ticket_counts tc SET n = tc.n + folded.d FROM folded
       WHERE tc.status = folded.status AND tc.category = folded.category AND tc.assigned = folded.assigned`,
    );
  });
}

/**
 * Recounts the totals from the table. Only needed after writes made with triggers switched off
 * (a bulk import under `session_replication_role = replica`, as bench/seed.ts does).
 */
export async function rebuildTicketCounts(client: pg.ClientBase): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('LOCK TABLE ticket_count_deltas IN EXCLUSIVE MODE');
    await client.query('DELETE FROM ticket_count_deltas');
    await client.query(
      `UPDATE ticket_counts tc SET n = COALESCE(x.n, 0)
       FROM ticket_counts k
       LEFT JOIN (SELECT status, category, assigned_to_id IS NOT NULL AS assigned, count(*) AS n
                  FROM contact_submissions GROUP BY 1, 2, 3) x
         ON x.status = k.status AND x.category = k.category AND x.assigned = k.assigned
       WHERE tc.status = k.status AND tc.category = k.category AND tc.assigned = k.assigned`,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

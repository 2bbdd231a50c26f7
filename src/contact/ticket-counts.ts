// Ticket totals without counting the table: triggers on contact_submissions append signed deltas
// per group (every `counted` field of ticket.fields.ts, and assigned or not) to ticket_count_deltas (insert-only, so concurrent writers never
// wait on each other); reads add them to the compacted totals in ticket_counts, all in one
// snapshot (migration 20261127300000_ticket_counts). The worker's crontab folds them in every
// minute (src/jobs/sweeps.ts), so no read pays for that and the deltas stay few.
import type pg from 'pg';
import type { Db } from '../db/client.js';
import type { SnapshotQuery } from '../db/snapshot.js';
import { withPgTransaction } from '../db/tx.js';
import type { TicketCategory, TicketStatus } from './ticket.fields.js';
import { fields } from './ticket.shape.js';

/** One group of the totals: a value of every counted field (ticket.fields.ts), assigned or not. */
export interface TicketCountRow extends Record<string, unknown> {
  status: TicketStatus;
  category: TicketCategory;
  assigned: boolean;
  n: number;
}

/** The totals' dimensions: the fields declared `counted`, then whether the ticket is assigned. */
const DIMS = [...fields.filter((f) => f.counted).map((f) => f.name), 'assigned'];
const DIM_LIST = DIMS.join(', ');
const SAME_GROUP = (a: string, b: string) => DIMS.map((d) => `${a}.${d} = ${b}.${d}`).join(' AND ');
const GROUP_BY = DIMS.map((_, i) => i + 1).join(', ');

const COMPACTION_LOCK = 72_707_370;

const COUNTS_SQL = `SELECT ${DIM_LIST}, sum(n)::int AS n
   FROM (SELECT ${DIM_LIST}, n FROM ticket_counts UNION ALL SELECT ${DIM_LIST}, delta FROM ticket_count_deltas) x
   GROUP BY ${DIM_LIST}`;

export async function readTicketCounts(db: Db): Promise<TicketCountRow[]> {
  const { rows } = await db.pool.query<TicketCountRow>(COUNTS_SQL);
  return rows;
}

/** The same totals as a part of a larger snapshot read (stats/overview); the function reads them back. */
export function addTicketCountParts(q: SnapshotQuery): (row: Record<string, unknown>) => TicketCountRow[] {
  q.add('ticket_counts', COUNTS_SQL);
  return (row) => row.ticket_counts as TicketCountRow[];
}

/**
 * Folds committed deltas into the totals. One compactor at a time; others skip. Idempotent (a
 * delta is deleted as it is folded); returns the deltas folded.
 */
export async function compactTicketCounts(db: Db): Promise<number> {
  return withPgTransaction(db, async (client) => {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      COMPACTION_LOCK,
    ]);
    if (!rows[0]?.locked) return 0;
    // A data-modifying WITH runs once whether or not the outer query reads it.
    const { rows: moved } = await client.query<{ n: number }>(
      `WITH moved AS (DELETE FROM ticket_count_deltas RETURNING ${DIM_LIST}, delta),
       folded AS (SELECT ${DIM_LIST}, sum(delta) AS d FROM moved GROUP BY ${GROUP_BY}),
       updated AS (UPDATE ticket_counts tc SET n = tc.n + folded.d FROM folded WHERE ${SAME_GROUP('tc', 'folded')})
       SELECT count(*)::int AS n FROM moved`,
    );
    return moved[0]?.n ?? 0;
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
       LEFT JOIN (SELECT ${DIMS.map((d) => (d === 'assigned' ? 'assigned_to_id IS NOT NULL AS assigned' : d)).join(', ')},
                    count(*) AS n
                  FROM contact_submissions GROUP BY ${GROUP_BY}) x
         ON ${SAME_GROUP('x', 'k')}
       WHERE ${SAME_GROUP('tc', 'k')}`,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

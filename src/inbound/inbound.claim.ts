// Which stored mails a batch takes (inbound.batch.ts): the job's own, waiting for their locks,
// and the others that wait, skipping whatever another transaction holds.
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { claimMail, type Claimed } from './inbound.process.js';
import { INBOUND_TASK } from './inbound.store.js';

/** Raw bytes the other mails of a batch may add (a few large mails are processed alone). */
const INBOUND_BATCH_BYTES = 4 * 1024 * 1024;

export interface BatchMail extends Claimed {
  id: string;
  /** The job's own mail: claimMail counted its attempt; the others' is counted with their outcome. */
  own?: boolean;
}

/**
 * The job's own mails, still waiting: row lock (waiting for another run that holds one) and the
 * dedupe lock on the stored Message-ID, attempt counted; oldest first.
 */
export async function claimOwn(client: pg.ClientBase, ids: readonly string[]): Promise<BatchMail[]> {
  if (!ids.length) return [];
  if (ids.length === 1) {
    const claimed = await claimMail(client, ids[0]!);
    return claimed ? [{ ...claimed, id: ids[0]!, own: true }] : [];
  }
  const { rows } = await client.query<BatchMail & { received_at: Date }>(
    `WITH l AS (SELECT id FROM inbound_mails WHERE id = ANY($1::uuid[]) AND status = 'received' ORDER BY id FOR UPDATE)
     UPDATE inbound_mails m SET attempts = m.attempts + 1 FROM l WHERE m.id = l.id
     RETURNING m.id, m.raw, m.envelope_from, m.envelope_to, m.message_id, m.sha256, m.received_at,
       pg_advisory_xact_lock(hashtextextended('inbound:' || COALESCE(m.message_id, 'sha256:' || m.sha256), 0))::text AS locked`,
    [ids],
  );
  return rows.sort((a, b) => +a.received_at - +b.received_at).map((r) => ({ ...r, own: true }));
}

/** Whether a mail waits for a batch (cheap, outside any transaction: a lingering run asks this). */
export async function anyWaiting(ctx: AppContext): Promise<boolean> {
  const { rows } = await ctx.db.pool.query(
    `SELECT 1 FROM inbound_mails WHERE status = 'received' AND attempts = 0 LIMIT 1`,
  );
  return rows.length > 0;
}

/**
 * Claims up to `limit` other waiting mails (oldest first) and deletes their jobs: first attempts
 * only, not locked by anyone, their job not running, their dedupe key free (a copy being
 * processed elsewhere waits for its own job), within INBOUND_BATCH_BYTES.
 */
export async function claimMore(client: pg.ClientBase, ownIds: readonly string[], limit: number): Promise<BatchMail[]> {
  if (limit <= 0) return [];
  const { rows } = await client.query<BatchMail>(
    `WITH picked AS (
       SELECT m.id, m.size, m.received_at, COALESCE(m.message_id, 'sha256:' || m.sha256) AS dedupe_key
       FROM inbound_mails m
       WHERE m.status = 'received' AND m.attempts = 0 AND m.id <> ALL($1::uuid[])
         AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs j
                         WHERE j.key = 'inbound:' || m.id::text AND j.locked_at IS NOT NULL)
       ORDER BY m.received_at LIMIT $2
       FOR UPDATE OF m SKIP LOCKED
     ), sized AS (
       SELECT *, sum(size) OVER (ORDER BY received_at, id) - size AS before FROM picked
     ), taken AS MATERIALIZED (
       SELECT id FROM sized
       WHERE before <= $3 AND pg_try_advisory_xact_lock(hashtextextended('inbound:' || dedupe_key, 0))
     ), unqueued AS (
       -- A mail's own job (an admin's retry), and the store's job of a group once none of its
       -- mails is left waiting (the rest: taken here, or done).
       DELETE FROM graphile_worker._private_jobs j
       WHERE j.locked_at IS NULL AND j.task_id = (SELECT id FROM graphile_worker._private_tasks WHERE identifier = $4)
         AND (j.key IN (SELECT 'inbound:' || id::text FROM taken)
           OR (json_typeof(j.payload -> 'inboundMailIds') = 'array'
             AND EXISTS (SELECT 1 FROM json_array_elements_text(j.payload -> 'inboundMailIds') x(id) JOIN taken t ON t.id = x.id::uuid)
             AND NOT EXISTS (SELECT 1 FROM json_array_elements_text(j.payload -> 'inboundMailIds') x(id)
               JOIN inbound_mails w ON w.id = x.id::uuid
               WHERE w.status = 'received' AND w.id NOT IN (SELECT id FROM taken))))
     )
     SELECT m.id, m.raw, m.envelope_from, m.envelope_to, m.message_id, m.sha256, m.received_at
     FROM inbound_mails m JOIN taken t ON t.id = m.id ORDER BY m.received_at`,
    [ownIds, limit, INBOUND_BATCH_BYTES, INBOUND_TASK],
  );
  return rows;
}

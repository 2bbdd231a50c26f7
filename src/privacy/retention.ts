// Retention (docs/privacy.md): nothing is kept longer than configured.
// - RETENTION_DAYS (default off): archived tickets untouched that long are erased, nightly, through
//   the same erasure path as "erase this person" (a request of kind `retention`, in batches).
// - RAW_MAIL_DAYS (default 30): raw inbound mails lose their bytes; the parsed message, the row's
//   status and outcome stay. A mail not yet processed ('received') keeps them until it is.
import type { AppContext } from '../context.js';
import { inPgTransaction } from '../db/tx.js';
import { queueErasureJob } from './service.js';

const DAY_MS = 24 * 3600 * 1000;
/** Raw mails cleared per statement: short row locks, never one huge update. */
const RAW_MAIL_BATCH = 500;

/**
 * Starts tonight's retention erasure (cutoff = now − RETENTION_DAYS) unless retention is off or a
 * retention run is still open. Returns the request id, or null when none was started.
 */
export async function startRetentionErasure(ctx: AppContext): Promise<string | null> {
  const days = ctx.config.RETENTION_DAYS;
  if (!days) return null;
  const cutoff = new Date(ctx.clock.now().getTime() - days * DAY_MS);
  return inPgTransaction(ctx.db, { actorId: null, source: 'system' }, async (client) => {
    // One open retention run at a time (the advisory lock keeps two workers' crons apart).
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('contactdesk:privacy:retention'))`);
    const open = await client.query(
      `SELECT 1 FROM erasure_requests WHERE kind = 'retention' AND status IN ('pending', 'running')`,
    );
    if (open.rowCount) return null;
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO erasure_requests (kind, cutoff, source, created_at, updated_at)
       VALUES ('retention', $1, 'system', $2, $2) RETURNING id`,
      [cutoff, ctx.clock.now()],
    );
    await queueErasureJob(client, rows[0]!.id);
    return rows[0]!.id;
  });
}

/** Clears raw mails older than RAW_MAIL_DAYS, a batch per statement; returns how many. */
export async function purgeRawMails(ctx: AppContext): Promise<number> {
  const days = ctx.config.RAW_MAIL_DAYS;
  if (!days) return 0;
  const cutoff = new Date(ctx.clock.now().getTime() - days * DAY_MS);
  let total = 0;
  for (;;) {
    const { rowCount } = await ctx.db.pool.query(
      `UPDATE inbound_mails SET raw = ''::bytea, raw_purged_at = $2
       WHERE id IN (SELECT id FROM inbound_mails WHERE raw_purged_at IS NULL AND received_at < $1
                      AND status <> 'received' LIMIT $3 FOR UPDATE SKIP LOCKED)`,
      [cutoff, ctx.clock.now(), RAW_MAIL_BATCH],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < RAW_MAIL_BATCH) return total;
  }
}

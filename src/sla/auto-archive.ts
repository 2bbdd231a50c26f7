// Resolved tickets leave the working queue by themselves: AUTO_ARCHIVE_DAYS after resolution
// (0 = never) the cron task archives them through the same workflow step as a moderator's
// "Archive" (planAction + applyChanges: the status machine, the SLA stop, the audit), recorded
// under source `system` with no actor.
import type { AppContext } from '../context.js';
import { inPgTransaction } from '../db/tx.js';
import { applyChanges, lockTickets, planAction, type ColumnSet, type LockedTicket } from '../contact/ticket-changes.js';

/** Tickets per transaction: a backlog is worked off in short transactions, not one long lock. */
const BATCH = 200;
const DAY_MS = 86_400_000;

/** Archives every ticket resolved longer than AUTO_ARCHIVE_DAYS ago. Returns how many. */
export async function autoArchiveResolved(ctx: AppContext): Promise<number> {
  const days = ctx.config.AUTO_ARCHIVE_DAYS;
  if (days === 0) return 0;
  let total = 0;
  for (;;) {
    const now = ctx.clock.now();
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const archived = await inPgTransaction(ctx.db, { actorId: null, source: 'system' }, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `SELECT id FROM contact_submissions WHERE status = 'resolved' AND resolved_at < $1
         ORDER BY resolved_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [cutoff, BATCH],
      );
      if (!rows.length) return 0;
      const changes: Array<{ ticket: LockedTicket; set: ColumnSet }> = [];
      for (const ticket of await lockTickets(
        client,
        rows.map((r) => r.id),
      )) {
        const planned = planAction('archive', ticket, null, {}, now);
        if (planned.ok) changes.push({ ticket, set: planned.set });
      }
      await applyChanges(client, now, changes);
      return changes.length;
    });
    total += archived;
    if (archived < BATCH) return total;
  }
}

// "Find my tickets": a customer who lost their mails gives an email address and gets the links of
// that address's open tickets BY MAIL (never on the page). The request answers the same page
// whatever the address, and in the same time: it only counts the rate limits and queues a job;
// the lookup and the mail happen in the worker (portal_find_tickets), so neither the answer nor
// its timing tells whether the address is known.
import type { Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { inPgTransaction } from '../db/tx.js';
import { pgRunner } from '../db/sql.js';
import { queueTicketMails } from '../mail/mail.queue.js';
import { parseInput } from '../shared/input.js';
import { enforceLimits, findWindows } from './portal-limits.js';

export const FIND_TASK = 'portal_find_tickets';
/** At most this many tickets in one mail (newest activity first). */
const MAX_LINKS = 20;
const DAY_MS = 86_400_000;

export const findRequestSchema = z.object({
  email: z
    .string({ error: 'must be an email address' })
    .trim()
    .max(254, 'must be at most 254 characters')
    .pipe(z.email({ error: 'must be an email address' })),
});

const findPayloadSchema = z.object({ email: z.string().max(254) });

export interface LinkableTicket {
  id: string;
  ticketNumber: string;
  subject: string;
  email: string;
}

/**
 * The tickets a links mail lists: open ones, and resolved ones a reply would still reopen
 * (within REOPEN_WINDOW_DAYS: the customer may want to answer or rate them).
 */
export async function linkableTicketsOf(ctx: AppContext, email: string): Promise<LinkableTicket[]> {
  const since = new Date(ctx.clock.now().getTime() - ctx.config.REOPEN_WINDOW_DAYS * DAY_MS);
  const { rows } = await ctx.db.pool.query<{ id: string; ticket_number: string; subject: string; email: string }>(
    `SELECT id, ticket_number, subject, email FROM contact_submissions
     WHERE lower(email) = lower($1)
       AND (status IN ('pending', 'in_progress') OR (status = 'resolved' AND resolved_at >= $2))
     ORDER BY updated_at DESC, id LIMIT $3`,
    [email, since, MAX_LINKS],
  );
  return rows.map((r) => ({ id: r.id, ticketNumber: r.ticket_number, subject: r.subject, email: r.email }));
}

/** The public request: validate, count the limits, queue the lookup. Same outcome for every address. */
export async function requestTicketLinks(ctx: AppContext, body: unknown, ip: string): Promise<void> {
  const { email } = parseInput(findRequestSchema, body);
  await enforceLimits(ctx, findWindows(ctx, ip, email), '"find my tickets" requests');
  await ctx.db.pool.query(
    `SELECT graphile_worker.add_job($1, json_build_object('email', $2::text), max_attempts := 5)`,
    [FIND_TASK, email],
  );
}

/**
 * The worker's half: look the address up and, when it has tickets, queue one ticket_links mail
 * (to the address as the ticket has it) in the same transaction. Unknown address: nothing.
 */
export async function processTicketLinksRequest(ctx: AppContext, email: string): Promise<boolean> {
  const tickets = await linkableTicketsOf(ctx, email);
  const newest = tickets[0];
  if (!newest) return false;
  await inPgTransaction(ctx.db, { actorId: null, source: 'worker' }, (client) =>
    queueTicketMails(pgRunner(client), [
      { ticketId: newest.id, ticketNumber: newest.ticketNumber, kind: 'ticket_links', recipients: [newest.email] },
    ]),
  );
  return true;
}

export function createPortalTasks(ctx: AppContext): TaskList {
  const task: Task = async (payload, helpers) => {
    const parsed = findPayloadSchema.safeParse(payload);
    if (!parsed.success) throw new Error(`${FIND_TASK}: invalid job payload: ${z.prettifyError(parsed.error)}`);
    const logger = ctx.logger.child({ jobId: helpers.job.id, task: FIND_TASK });
    const found = await processTicketLinksRequest({ ...ctx, logger }, parsed.data.email);
    // The address stays out of the log: whether it is known is exactly what must not leak.
    logger.debug({ found }, 'ticket links request handled');
  };
  return { [FIND_TASK]: task };
}

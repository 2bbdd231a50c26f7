// Tickets in a given workflow state, reached through the real service calls (no status poking).
import type { Actor } from '../../src/auth/actor.js';
import type { AppContext } from '../../src/context.js';
import type { TicketCategory, TicketStatus } from '../../src/contact/contact.schema.js';
import { runTicketAction } from '../../src/contact/contact.service.js';
import { createTicket } from '../helpers/factories.js';

const META = { source: 'api' as const };

/** A ticket walked to `status`: in_progress = claimed by `actor`; resolved / archived by `actor`. */
export async function ticketIn(
  ctx: AppContext,
  actor: Actor,
  status: TicketStatus,
  opts: Parameters<typeof createTicket>[1] & { category?: TicketCategory } = {},
) {
  const ticket = await createTicket(ctx, opts);
  if (status === 'in_progress') await runTicketAction(ctx, actor, ticket.id, 'assign_to_me', {}, META);
  if (status === 'resolved' || status === 'archived')
    await runTicketAction(ctx, actor, ticket.id, 'resolve', { resolutionNotes: 'done' }, META);
  if (status === 'archived') await runTicketAction(ctx, actor, ticket.id, 'archive', {}, META);
  return ticket;
}

export async function statusOf(ctx: AppContext, id: string): Promise<TicketStatus | null> {
  const { rows } = await ctx.db.pool.query('SELECT status FROM contact_submissions WHERE id = $1', [id]);
  return rows[0]?.status ?? null;
}

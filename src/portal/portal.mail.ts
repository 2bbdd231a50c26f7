// What the portal adds to an outgoing mail, decided by the worker at send time: the customer's
// ticket page link on every customer mail (with the one-click rating links, which the resolution
// mail shows), and the list of links a "find my tickets" mail carries. Links are deterministic
// per delivery (customer-links.ts), so a retried mail carries the same ones.
import type { AppContext } from '../context.js';
import type { MailDelivery } from '../mail/mail.message.js';
import type { EmailKind } from '../mail/mail.queue.js';
import { ensureCustomerLink } from './customer-links.js';
import { linkableTicketsOf } from './find-tickets.js';

/** The mails a customer gets about their ticket: each links to the ticket page. */
export const CUSTOMER_KINDS: readonly EmailKind[] = ['contact_confirmation', 'ticket_reply', 'contact_resolved'];

export async function portalMailParts(
  ctx: AppContext,
  delivery: { id: string; kind: EmailKind; recipient: string },
  ticketId: string,
): Promise<Pick<MailDelivery, 'portal' | 'links'>> {
  if (CUSTOMER_KINDS.includes(delivery.kind)) return { portal: await ensureCustomerLink(ctx, delivery.id, ticketId) };
  if (delivery.kind !== 'ticket_links') return {};
  // Read when sending, not when asked: a ticket resolved in between is not listed as open.
  const tickets = await linkableTicketsOf(ctx, delivery.recipient);
  const links = [];
  for (const t of tickets) {
    const urls = await ensureCustomerLink(ctx, delivery.id, t.id);
    links.push({ ticketNumber: t.ticketNumber, subject: t.subject, url: urls.page });
  }
  return { links };
}

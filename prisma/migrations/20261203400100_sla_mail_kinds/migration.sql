-- The SLA alerts and the morning digest may go out again for the same ticket and recipient (an
-- alert for the other target; a ticket listed in tomorrow's digest too): like ticket_links and
-- rating_bad_alert they stay out of the (ticket, kind, recipient) unique index and their job key
-- is the delivery id (src/mail/mail.queue.ts). Their once-only records are sla_alerts and
-- digest_runs.
DROP INDEX "email_deliveries_ticket_id_kind_recipient_key";
CREATE UNIQUE INDEX "email_deliveries_ticket_id_kind_recipient_key" ON "email_deliveries"("ticket_id", "kind", "recipient")
  WHERE "ticket_message_id" IS NULL
    AND "kind" NOT IN ('ticket_links', 'rating_bad_alert', 'sla_warning', 'sla_breach', 'moderator_digest');

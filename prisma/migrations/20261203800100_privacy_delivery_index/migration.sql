-- Erasure finds a ticket's email deliveries batch by batch (src/privacy/erasure.ts): replies and
-- the repeatable kinds are outside the partial (ticket_id, kind, recipient) index, so without this
-- every batch would scan the whole table.
CREATE INDEX "email_deliveries_ticket_id_idx" ON "email_deliveries"("ticket_id");

-- The "Waiting on customer" view (waiting_on=customer: our reply is the newest public message, the
-- SLA clocks paused) had no index: its count on every list load, and the view's first page, read
-- every open ticket to find the few that wait (240 ms at 1M tickets, bench dataset). A partial
-- index holds just the waiting tickets, in the list's default order.
CREATE INDEX "contact_submissions_waiting_on_customer_idx" ON "contact_submissions"("created_at")
  WHERE "sla_paused_since" IS NOT NULL;

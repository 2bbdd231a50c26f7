-- Sorting the working queue (archived left out, as the list does by default) by its SLA column,
-- the resolution due time, either way: a walk of this index in list order (orderByClause: due
-- time, then id) instead of sorting every ticket that is not archived (~0.4 s at 1M). The due-time
-- indexes of migration 20261203400000 are partial for the alert sweep (open tickets only) and
-- cannot give the list's order, which includes resolved tickets.
CREATE INDEX "contact_submissions_open_sla_resolution_due_idx" ON "contact_submissions"("sla_resolution_due_at", "id")
  WHERE "status" <> 'archived';

-- Indexes for the moderator list and stats on a million rows (measured with EXPLAIN ANALYZE on
-- 200k generated rows, see docs/readme/tickets-api.md "Performance").

-- ?ordering=-updated_at / updated_at: without it every page is a top-N sort of the whole table
-- (76 ms at 200k rows, ~0.4 s at 1M); with it 0.2 ms. Generated with `prisma migrate diff`.
-- CreateIndex
CREATE INDEX "contact_submissions_updated_at_idx" ON "contact_submissions"("updated_at" DESC);

-- Hand-written (Prisma cannot express partial indexes): the stats' "time to resolution over the
-- last 30 days" reads only the tickets resolved in the window instead of scanning the table.
CREATE INDEX "contact_submissions_resolved_at_idx" ON "contact_submissions"("resolved_at" DESC)
  WHERE "resolved_at" IS NOT NULL;

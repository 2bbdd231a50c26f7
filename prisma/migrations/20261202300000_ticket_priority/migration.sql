-- Ticket priority (low < normal < high < urgent: the enum's order is the sort order), declared in
-- src/contact/ticket.fields.ts. The audit trigger snapshots it by name (contact_submission_events
-- gets the column); the maintained totals gain it as a dimension.

CREATE TYPE "TicketPriority" AS ENUM ('low', 'normal', 'high', 'urgent');

ALTER TABLE "contact_submissions" ADD COLUMN "priority" "TicketPriority" NOT NULL DEFAULT 'normal';
ALTER TABLE "contact_submission_events" ADD COLUMN "priority" "TicketPriority";

-- The working queue sorted urgent first (?ordering=-priority), archived left out as by default.
CREATE INDEX "contact_submissions_open_priority_created_at_idx"
  ON "contact_submissions"("priority" DESC, "created_at" DESC) WHERE "status" <> 'archived';

-- Totals per (status, category, priority, assigned): rebuilt with the new dimension.
ALTER TABLE "ticket_counts" ADD COLUMN "priority" "TicketPriority" NOT NULL DEFAULT 'normal';
ALTER TABLE "ticket_count_deltas" ADD COLUMN "priority" "TicketPriority" NOT NULL DEFAULT 'normal';
LOCK TABLE "ticket_count_deltas" IN EXCLUSIVE MODE;
DELETE FROM "ticket_count_deltas";
DELETE FROM "ticket_counts";
ALTER TABLE "ticket_counts" DROP CONSTRAINT "ticket_counts_pkey",
  ADD CONSTRAINT "ticket_counts_pkey" PRIMARY KEY ("status", "category", "priority", "assigned");
INSERT INTO "ticket_counts" ("status", "category", "priority", "assigned", "n")
SELECT s, c, p, a, 0
FROM unnest(enum_range(NULL::"TicketStatus")) AS s,
     unnest(enum_range(NULL::"TicketCategory")) AS c,
     unnest(enum_range(NULL::"TicketPriority")) AS p,
     (VALUES (true), (false)) AS v(a);
UPDATE "ticket_counts" tc SET "n" = x.n
FROM (SELECT "status", "category", "priority", "assigned_to_id" IS NOT NULL AS assigned, count(*) AS n
      FROM "contact_submissions" GROUP BY 1, 2, 3, 4) x
WHERE tc."status" = x."status" AND tc."category" = x."category" AND tc."priority" = x."priority"
  AND tc."assigned" = x.assigned;

CREATE OR REPLACE FUNCTION ticket_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_count_deltas (status, category, priority, assigned, delta)
  SELECT status, category, priority, assigned_to_id IS NOT NULL, count(*) FROM new_rows GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ticket_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_count_deltas (status, category, priority, assigned, delta)
  SELECT status, category, priority, assigned_to_id IS NOT NULL, -count(*) FROM old_rows GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ticket_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_count_deltas (status, category, priority, assigned, delta)
  SELECT status, category, priority, assigned, sum(d)
  FROM (
    SELECT status, category, priority, assigned_to_id IS NOT NULL AS assigned, -1 AS d FROM old_rows
    UNION ALL
    SELECT status, category, priority, assigned_to_id IS NOT NULL, 1 FROM new_rows
  ) changes
  GROUP BY 1, 2, 3, 4
  HAVING sum(d) <> 0;
  RETURN NULL;
END $$;

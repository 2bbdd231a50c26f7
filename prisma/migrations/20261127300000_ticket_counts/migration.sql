-- CreateTable
CREATE TABLE "ticket_counts" (
    "status" "TicketStatus" NOT NULL,
    "category" "TicketCategory" NOT NULL,
    "assigned" BOOLEAN NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ticket_counts_pkey" PRIMARY KEY ("status","category","assigned")
);

-- CreateTable
CREATE TABLE "ticket_count_deltas" (
    "id" BIGSERIAL NOT NULL,
    "status" "TicketStatus" NOT NULL,
    "category" "TicketCategory" NOT NULL,
    "assigned" BOOLEAN NOT NULL,
    "delta" INTEGER NOT NULL,

    CONSTRAINT "ticket_count_deltas_pkey" PRIMARY KEY ("id")
);


-- Hand-written: every (status, category, assigned) combination exists up front, so folding
-- deltas in is a plain UPDATE; then the current totals.
INSERT INTO "ticket_counts" ("status", "category", "assigned", "n")
SELECT s, c, a, 0
FROM unnest(enum_range(NULL::"TicketStatus")) AS s,
     unnest(enum_range(NULL::"TicketCategory")) AS c,
     (VALUES (true), (false)) AS v(a);

UPDATE "ticket_counts" tc SET "n" = x.n
FROM (SELECT "status", "category", "assigned_to_id" IS NOT NULL AS assigned, count(*) AS n
      FROM "contact_submissions" GROUP BY 1, 2, 3) x
WHERE tc."status" = x."status" AND tc."category" = x."category" AND tc."assigned" = x.assigned;

-- Statement-level triggers with transition tables: one small INSERT per statement, whatever the
-- number of rows (bulk actions), and only for groups whose count really changed.
CREATE FUNCTION ticket_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_count_deltas (status, category, assigned, delta)
  SELECT status, category, assigned_to_id IS NOT NULL, count(*) FROM new_rows GROUP BY 1, 2, 3;
  RETURN NULL;
END $$;

CREATE FUNCTION ticket_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_count_deltas (status, category, assigned, delta)
  SELECT status, category, assigned_to_id IS NOT NULL, -count(*) FROM old_rows GROUP BY 1, 2, 3;
  RETURN NULL;
END $$;

CREATE FUNCTION ticket_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_count_deltas (status, category, assigned, delta)
  SELECT status, category, assigned, sum(d)
  FROM (
    SELECT status, category, assigned_to_id IS NOT NULL AS assigned, -1 AS d FROM old_rows
    UNION ALL
    SELECT status, category, assigned_to_id IS NOT NULL, 1 FROM new_rows
  ) changes
  GROUP BY 1, 2, 3
  HAVING sum(d) <> 0;
  RETURN NULL;
END $$;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON "contact_submissions"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_after_insert();
CREATE TRIGGER ticket_counts_delete AFTER DELETE ON "contact_submissions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_after_delete();
CREATE TRIGGER ticket_counts_update AFTER UPDATE ON "contact_submissions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_after_update();

-- Hand-written (measured with bench/list.ts at 1M rows): the category filter of the default
-- view (archived hidden) counts through this instead of scanning the category's whole history.
CREATE INDEX "contact_submissions_open_category_created_at_idx"
  ON "contact_submissions"("category", "created_at" DESC) WHERE "status" <> 'archived';

-- open_by_tag in O(tags): trigger-maintained totals of open tickets per tag, the way ticket
-- totals are kept (20261127300000_ticket_counts). Triggers on ticket_tags append signed deltas
-- (insert-only, so concurrent writers never wait on a popular tag's row); reads add them to the
-- compacted totals; the worker's crontab folds them in every minute (compact_tag_counts).
-- ticket_tags.open (20261203310000) says whether a row counts, on every path: a tag added or
-- removed, a ticket opened or closed (its rows' flag flips: an UPDATE), a merge, a delete.

CREATE TABLE "tag_open_counts" (
    "tag_id" UUID NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "tag_open_counts_pkey" PRIMARY KEY ("tag_id")
);
ALTER TABLE "tag_open_counts" ADD CONSTRAINT "tag_open_counts_tag_id_fkey"
  FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "tag_open_count_deltas" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "tag_id" UUID NOT NULL,
    "delta" INTEGER NOT NULL,

    CONSTRAINT "tag_open_count_deltas_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "tag_open_count_deltas" ADD CONSTRAINT "tag_open_count_deltas_tag_id_fkey"
  FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "tag_open_counts" ("tag_id", "n")
  SELECT g.id, count(tt.tag_id) FROM tags g LEFT JOIN ticket_tags tt ON tt.tag_id = g.id AND tt.open GROUP BY g.id;

-- Every tag has its totals row, so compaction only ever UPDATEs.
CREATE FUNCTION tags_open_count_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tag_open_counts (tag_id, n) SELECT id, 0 FROM new_tags;
  RETURN NULL;
END $$;
CREATE TRIGGER tags_open_count_row AFTER INSERT ON "tags"
  REFERENCING NEW TABLE AS new_tags FOR EACH STATEMENT EXECUTE FUNCTION tags_open_count_row();

CREATE FUNCTION ticket_tags_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tag_open_count_deltas (tag_id, delta)
    SELECT tag_id, count(*) FROM added WHERE open GROUP BY tag_id;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_tags_count_insert AFTER INSERT ON "ticket_tags"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ticket_tags_count_insert();

CREATE FUNCTION ticket_tags_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A tag being deleted takes its deltas and totals with it (ON DELETE CASCADE); rows of other
  -- tags (a deleted ticket's) are counted down. The tag still exists here (tags_before_delete).
  INSERT INTO tag_open_count_deltas (tag_id, delta)
    SELECT tag_id, -count(*) FROM gone WHERE open GROUP BY tag_id;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_tags_count_delete AFTER DELETE ON "ticket_tags"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION ticket_tags_count_delete();

CREATE FUNCTION ticket_tags_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tag_open_count_deltas (tag_id, delta)
    SELECT tag_id, sum(d)::int FROM (
      SELECT tag_id, -1 AS d FROM gone WHERE open
      UNION ALL SELECT tag_id, 1 FROM added WHERE open
    ) x GROUP BY tag_id HAVING sum(d) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_tags_count_update AFTER UPDATE ON "ticket_tags"
  REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ticket_tags_count_update();

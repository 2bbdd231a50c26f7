-- Tags on tickets and canned replies (issue 14 §2, §3); docs/tags-and-canned.md.
-- Tables as `prisma migrate diff` writes them; the case-insensitive unique indexes, the CHECKs
-- and the triggers are hand-written (Prisma cannot declare them).

-- Tags: staff create them by using them; one name per spelling regardless of case ("VIP" = "vip").
CREATE TABLE "tags" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(50) NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "tags_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "tags_name_check" CHECK ("name" = btrim("name") AND "name" <> '')
);
CREATE UNIQUE INDEX "tags_name_lower_key" ON "tags" (lower("name"));
ALTER TABLE "tags" ADD CONSTRAINT "tags_created_by_id_fkey"
  FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "ticket_tags" (
    "ticket_id" UUID NOT NULL,
    "tag_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "ticket_tags_pkey" PRIMARY KEY ("ticket_id", "tag_id")
);
-- The any/all filters and the per-tag counts go from a tag to its tickets.
CREATE INDEX "ticket_tags_tag_id_ticket_id_idx" ON "ticket_tags" ("tag_id", "ticket_id");
ALTER TABLE "ticket_tags" ADD CONSTRAINT "ticket_tags_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_tags" ADD CONSTRAINT "ticket_tags_tag_id_fkey"
  FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Audit: one typed row per tag added to (insert) or removed from (delete) a ticket, with the
-- transaction's actor / source / request id and the tag's name at that moment (a later rename or
-- delete of the tag does not rewrite history).
CREATE TABLE "ticket_tag_events" (
    "event_id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "event_at" TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp(),
    "operation" "AuditOperation" NOT NULL,
    "actor_id" UUID,
    "source" VARCHAR(20) NOT NULL,
    "request_id" VARCHAR(100),
    "ticket_id" UUID NOT NULL,
    "tag_id" UUID NOT NULL,
    "tag_name" VARCHAR(50) NOT NULL,

    CONSTRAINT "ticket_tag_events_pkey" PRIMARY KEY ("event_id")
);
CREATE INDEX "ticket_tag_events_ticket_id_event_id_idx" ON "ticket_tag_events" ("ticket_id", "event_id");
CREATE TRIGGER ticket_tag_events_append_only BEFORE UPDATE OR DELETE ON "ticket_tag_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER ticket_tag_events_no_truncate BEFORE TRUNCATE ON "ticket_tag_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Statement-level, so a bulk "Tag…" of 500 tickets writes its 500 events in one INSERT.
CREATE FUNCTION ticket_tags_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_tag_events (operation, actor_id, source, request_id, ticket_id, tag_id, tag_name)
    SELECT 'insert', audit_actor_id(), audit_source(), audit_request_id(), n.ticket_id, n.tag_id, t.name
    FROM added n JOIN tags t ON t.id = n.tag_id ORDER BY n.ticket_id, t.name;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_tags_audit_insert AFTER INSERT ON "ticket_tags"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ticket_tags_audit_insert();

CREATE FUNCTION ticket_tags_audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_tag_events (operation, actor_id, source, request_id, ticket_id, tag_id, tag_name)
    SELECT 'delete', audit_actor_id(), audit_source(), audit_request_id(), g.ticket_id, g.tag_id,
      coalesce(t.name, '(deleted tag)')
    FROM gone g LEFT JOIN tags t ON t.id = g.tag_id ORDER BY g.ticket_id, t.name;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_tags_audit_delete AFTER DELETE ON "ticket_tags"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION ticket_tags_audit_delete();

-- A row moved to another tag (a merge done by UPDATE, e.g. in psql) is a removal and an addition.
CREATE FUNCTION ticket_tags_audit_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_tag_events (operation, actor_id, source, request_id, ticket_id, tag_id, tag_name)
    SELECT 'delete', audit_actor_id(), audit_source(), audit_request_id(), g.ticket_id, g.tag_id,
      coalesce(t.name, '(deleted tag)')
    FROM gone g LEFT JOIN tags t ON t.id = g.tag_id ORDER BY g.ticket_id, t.name;
  INSERT INTO ticket_tag_events (operation, actor_id, source, request_id, ticket_id, tag_id, tag_name)
    SELECT 'insert', audit_actor_id(), audit_source(), audit_request_id(), n.ticket_id, n.tag_id, t.name
    FROM added n JOIN tags t ON t.id = n.tag_id ORDER BY n.ticket_id, t.name;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_tags_audit_update AFTER UPDATE ON "ticket_tags"
  REFERENCING OLD TABLE AS gone NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ticket_tags_audit_update();

-- A tag's delete removes its ticket rows first, while the tag (and so its name) still exists:
-- the foreign key's own cascade would run after the tag is gone and the events would lose the name.
CREATE FUNCTION tags_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM ticket_tags WHERE tag_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER tags_before_delete BEFORE DELETE ON "tags"
  FOR EACH ROW EXECUTE FUNCTION tags_before_delete();

-- Canned replies: shared (owner_id NULL, admins manage them) or personal (one moderator's).
CREATE TABLE "canned_replies" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(100) NOT NULL,
    "body" TEXT NOT NULL,
    "owner_id" UUID,
    "usage_count" INTEGER NOT NULL DEFAULT 0,
    "last_used_at" TIMESTAMPTZ(3),
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "canned_replies_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "canned_replies_body_check" CHECK (char_length("body") BETWEEN 1 AND 10000)
);
-- One name per scope, case-insensitively: the shared set, and each moderator's own set.
CREATE UNIQUE INDEX "canned_replies_shared_name_key" ON "canned_replies" (lower("name")) WHERE "owner_id" IS NULL;
CREATE UNIQUE INDEX "canned_replies_owner_name_key" ON "canned_replies" ("owner_id", lower("name"))
  WHERE "owner_id" IS NOT NULL;
ALTER TABLE "canned_replies" ADD CONSTRAINT "canned_replies_owner_id_fkey"
  FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "canned_replies" ADD CONSTRAINT "canned_replies_created_by_id_fkey"
  FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

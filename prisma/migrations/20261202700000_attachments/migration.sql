-- Attachments (issue 12): files of a ticket's messages, stored in PostgreSQL, content-addressed.
--   attachment_blobs   one row per distinct content (sha256), however many attachments share it
--   attachment_chunks  the content, ≤ 256 KB per row, written while the upload streams in
--   attachments        one row per file of a message: name, declared / sniffed type, size
--   attachment_events  append-only record of removed attachments (who, when, which file)
-- Chunks are keyed by a chunk_set (a UUID chosen when the upload starts), not by sha256: the hash
-- is only known once the last byte arrived, and by then the chunks are written. The blob row is
-- inserted at the end of the upload; its FK from chunks is DEFERRABLE so that the chunks may come
-- first inside the same transaction, and a commit with chunks no blob claims fails (no orphans).
-- (Prisma cannot declare DEFERRABLE, the storage trigger, or the CHECK: hand-written below.)

CREATE TABLE "attachment_blobs" (
    "sha256" CHAR(64) NOT NULL,
    "size" BIGINT NOT NULL,
    "chunk_set" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "attachment_blobs_pkey" PRIMARY KEY ("sha256")
);
CREATE UNIQUE INDEX "attachment_blobs_chunk_set_key" ON "attachment_blobs"("chunk_set");

CREATE TABLE "attachment_chunks" (
    "chunk_set" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL CHECK (octet_length("data") <= 262144),

    CONSTRAINT "attachment_chunks_pkey" PRIMARY KEY ("chunk_set", "seq")
);
ALTER TABLE "attachment_chunks" ADD CONSTRAINT "attachment_chunks_chunk_set_fkey"
  FOREIGN KEY ("chunk_set") REFERENCES "attachment_blobs"("chunk_set") ON DELETE CASCADE ON UPDATE CASCADE
  DEFERRABLE INITIALLY DEFERRED;
-- Most uploads (images, PDFs, archives) are compressed already: skip TOAST's pglz attempt.
ALTER TABLE "attachment_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;

CREATE TABLE "attachments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ticket_id" UUID NOT NULL,
    -- NULL: the ticket's original message (the submission); else a thread message.
    "ticket_message_id" UUID,
    "file_name" VARCHAR(255) NOT NULL,
    "declared_type" VARCHAR(255) NOT NULL,
    -- What file-type recognised, or the safe fallback (text/plain, application/octet-stream).
    "sniffed_type" VARCHAR(255) NOT NULL,
    "size" BIGINT NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    -- form | api | email | panel
    "source" VARCHAR(20) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "attachments_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_ticket_message_id_fkey"
  FOREIGN KEY ("ticket_message_id") REFERENCES "ticket_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- RESTRICT: a blob can only go once no attachment names it (the cleanup trigger below checks).
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_sha256_fkey"
  FOREIGN KEY ("sha256") REFERENCES "attachment_blobs"("sha256") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE INDEX "attachments_ticket_id_created_at_idx" ON "attachments"("ticket_id", "created_at", "id");
CREATE INDEX "attachments_ticket_message_id_idx" ON "attachments"("ticket_message_id");
CREATE INDEX "attachments_sha256_idx" ON "attachments"("sha256");

CREATE TABLE "attachment_events" (
    "event_id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "event_at" TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp(),
    "operation" "AuditOperation" NOT NULL,
    "actor_id" UUID,
    "source" VARCHAR(20) NOT NULL,
    "request_id" VARCHAR(100),
    "attachment_id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,
    "ticket_message_id" UUID,
    "file_name" VARCHAR(255) NOT NULL,
    "size" BIGINT NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    -- true when this removal also freed the content (no other attachment shared it).
    "blob_deleted" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "attachment_events_pkey" PRIMARY KEY ("event_id")
);
CREATE INDEX "attachment_events_ticket_id_event_id_idx" ON "attachment_events"("ticket_id", "event_id");
CREATE TRIGGER attachment_events_append_only BEFORE UPDATE OR DELETE ON "attachment_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER attachment_events_no_truncate BEFORE TRUNCATE ON "attachment_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- After attachments go (a ticket deleted, its cascade), in one statement-level pass: record each
-- removal with the transaction's actor / source / request id, then delete every blob no
-- attachment names any more. Each candidate blob is locked FOR UPDATE first, then re-checked by a
-- new statement (a fresh snapshot under READ COMMITTED): an upload that is reusing that blob holds
-- a KEY SHARE lock on it until it commits, so the check then sees its new attachment and keeps the
-- blob. The chunks go with the blob (ON DELETE CASCADE).
CREATE FUNCTION attachments_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s CHAR(64);
  freed CHAR(64)[] := '{}';
BEGIN
  FOR s IN SELECT DISTINCT sha256 FROM gone ORDER BY sha256 LOOP
    PERFORM 1 FROM attachment_blobs WHERE sha256 = s FOR UPDATE;
    IF FOUND AND NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = s) THEN
      DELETE FROM attachment_blobs WHERE sha256 = s;
      freed := freed || s;
    END IF;
  END LOOP;
  INSERT INTO attachment_events (operation, actor_id, source, request_id, attachment_id, ticket_id,
      ticket_message_id, file_name, size, sha256, blob_deleted)
    SELECT 'delete', audit_actor_id(), audit_source(), audit_request_id(), g.id, g.ticket_id,
      g.ticket_message_id, g.file_name, g.size, g.sha256, g.sha256 = ANY (freed)
    FROM gone g ORDER BY g.created_at, g.id;
  RETURN NULL;
END $$;
CREATE TRIGGER attachments_after_delete AFTER DELETE ON "attachments"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION attachments_after_delete();

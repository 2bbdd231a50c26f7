-- The customer's data rights (issue 15 §2-§4, docs/privacy.md): access export, erasure, retention.
--   erasure_requests         one per "erase this person" (or nightly retention run): progress, counts,
--                            who asked; the person's address and names only while it runs
--   erasure_request_tickets  the tickets still to erase (ids only), consumed batch by batch
--   privacy_exports          who exported whose data, when, how much
--   audit_redactions         append-only: every redaction of the audit trail (who, when, how many rows)
-- The audit trail stays append-only. The one exception is audit_redact() below: the guard lets an
-- UPDATE through only while that function runs (a transaction-local flag it sets AND the call
-- stack showing it), and the function writes its own audit_redactions row. The same pattern lets
-- erase_ticket_messages() rewrite thread messages, which are otherwise never edited.

CREATE TYPE "ErasureKind" AS ENUM ('person', 'retention');
CREATE TYPE "ErasureStatus" AS ENUM ('pending', 'running', 'done', 'failed');

CREATE TABLE "erasure_requests" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" "ErasureKind" NOT NULL,
    "status" "ErasureStatus" NOT NULL DEFAULT 'pending',
    -- collect → tickets → sweep → done (src/privacy/erasure.ts)
    "phase" VARCHAR(20) NOT NULL DEFAULT 'collect',
    -- The person (kind person): needed to find and redact them, set to NULL when done.
    "email" VARCHAR(254),
    -- Words to redact (address, names, name parts), gathered before anything is erased; emptied when done.
    "terms" TEXT[] NOT NULL DEFAULT '{}',
    -- Retention: tickets archived (untouched) since before this instant.
    "cutoff" TIMESTAMPTZ(3),
    "tickets_total" INTEGER NOT NULL DEFAULT 0,
    "tickets_done" INTEGER NOT NULL DEFAULT 0,
    "batches" INTEGER NOT NULL DEFAULT 0,
    -- Rows changed per table, e.g. {"contact_submissions": 3, "ticket_messages": 7, …}.
    "rows_redacted" JSONB NOT NULL DEFAULT '{}',
    "requested_by_id" UUID,
    "source" VARCHAR(20) NOT NULL,
    "request_id" VARCHAR(100),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "started_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "erasure_requests_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "erasure_requests" ADD CONSTRAINT "erasure_requests_requested_by_id_fkey"
  FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "erasure_requests_created_at_idx" ON "erasure_requests"("created_at" DESC);
-- One open erasure per person: asking again answers with the running one.
CREATE UNIQUE INDEX "erasure_requests_open_email_key" ON "erasure_requests"(lower("email"))
  WHERE "status" IN ('pending', 'running') AND "email" IS NOT NULL;

CREATE TABLE "erasure_request_tickets" (
    "request_id" UUID NOT NULL,
    "ticket_id" UUID NOT NULL,

    CONSTRAINT "erasure_request_tickets_pkey" PRIMARY KEY ("request_id", "ticket_id")
);
ALTER TABLE "erasure_request_tickets" ADD CONSTRAINT "erasure_request_tickets_request_id_fkey"
  FOREIGN KEY ("request_id") REFERENCES "erasure_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "privacy_exports" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "actor_id" UUID,
    "actor_email" VARCHAR(254) NOT NULL,
    -- Whose data; NULL once that person was erased (erasure_request_id says by which request).
    "subject_email" VARCHAR(254),
    "erasure_request_id" UUID,
    "source" VARCHAR(20) NOT NULL,
    "request_id" VARCHAR(100),
    "tickets" INTEGER,
    "files" INTEGER,
    "bytes" BIGINT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "privacy_exports_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "privacy_exports_started_at_idx" ON "privacy_exports"("started_at" DESC);
CREATE INDEX "privacy_exports_subject_email_idx" ON "privacy_exports"(lower("subject_email"));

CREATE TABLE "audit_redactions" (
    "event_id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "event_at" TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp(),
    "actor_id" UUID,
    "source" VARCHAR(20) NOT NULL,
    "request_id" VARCHAR(100),
    "erasure_request_id" UUID NOT NULL,
    "ticket_events" INTEGER NOT NULL,
    "attachment_events" INTEGER NOT NULL,

    CONSTRAINT "audit_redactions_pkey" PRIMARY KEY ("event_id")
);
CREATE INDEX "audit_redactions_erasure_request_id_idx" ON "audit_redactions"("erasure_request_id");

-- Raw mail retention (RAW_MAIL_DAYS): the bytes go, the row (status, outcome, ticket) stays.
ALTER TABLE "inbound_mails" ADD COLUMN "raw_purged_at" TIMESTAMPTZ(3);
CREATE INDEX "inbound_mails_raw_kept_received_at_idx" ON "inbound_mails"("received_at") WHERE "raw_purged_at" IS NULL;
-- Retention (RETENTION_DAYS): archived tickets by last change. Partial, so submits never touch it.
CREATE INDEX "contact_submissions_archived_updated_at_idx" ON "contact_submissions"("updated_at")
  WHERE "status" = 'archived';

-- ---------------------------------------------------------------------------------------------
-- Hand-written: tombstones, text redaction, the guarded redaction functions.

CREATE FUNCTION privacy_tombstone() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '[erased]' $$;
-- Still a syntactically valid address (the columns and their readers expect one); .invalid never resolves.
CREATE FUNCTION privacy_tombstone_email() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'erased@erased.invalid'
$$;

-- Every occurrence of each term (case-insensitive; names as whole words) becomes the tombstone.
-- Callers pass the longest terms first, so "Ann Example" goes before "Ann".
CREATE FUNCTION privacy_redact_text(t text, terms text[]) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  term text;
  pattern text;
  out text := t;
BEGIN
  IF t IS NULL OR terms IS NULL THEN RETURN t; END IF;
  FOREACH term IN ARRAY terms LOOP
    CONTINUE WHEN term IS NULL OR length(term) < 3;
    -- A backslash before any non-alphanumeric character makes it literal in an ARE.
    pattern := regexp_replace(term, '([^[:alnum:][:space:]])', '\\\1', 'g');
    IF term ~ '^[[:alnum:]_]' THEN pattern := '\m' || pattern; END IF;
    IF term ~ '[[:alnum:]_]$' THEN pattern := pattern || '\M'; END IF;
    out := regexp_replace(out, pattern, privacy_tombstone(), 'gi');
  END LOOP;
  RETURN out;
END $$;

-- True only inside `fn` (called by name on the stack) after it set its transaction-local flag.
-- A flag alone could be set by any session with set_config; the stack check means the guarded
-- tables change only through the function's own statements.
CREATE FUNCTION privacy_redaction_allowed(fn text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE
  stack text;
BEGIN
  IF current_setting('contactdesk.redacting', true) IS DISTINCT FROM fn THEN RETURN false; END IF;
  GET DIAGNOSTICS stack = PG_CONTEXT;
  RETURN position('function ' || fn || '(' IN stack) > 0 OR position('function public.' || fn || '(' IN stack) > 0;
END $$;

-- The append-only guard of every audit table: still refuses DELETE and TRUNCATE always, and UPDATE
-- except while audit_redact() runs.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND privacy_redaction_allowed('audit_redact') THEN RETURN NEW; END IF;
  RAISE EXCEPTION 'audit events are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_redactions_append_only BEFORE UPDATE OR DELETE ON "audit_redactions"
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_redactions_no_truncate BEFORE TRUNCATE ON "audit_redactions"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Messages are never edited, except by erasure (erase_ticket_messages).
CREATE OR REPLACE FUNCTION ticket_messages_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF privacy_redaction_allowed('erase_ticket_messages') THEN RETURN NEW; END IF;
  IF NEW.ticket_id IS DISTINCT FROM OLD.ticket_id OR NEW.body_text IS DISTINCT FROM OLD.body_text
     OR NEW.body_html IS DISTINCT FROM OLD.body_html OR NEW.kind IS DISTINCT FROM OLD.kind
     OR NEW.author_id IS DISTINCT FROM OLD.author_id AND NEW.author_id IS NOT NULL THEN
    RAISE EXCEPTION 'ticket messages are not edited' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

-- The audit rows of these tickets lose the person: the snapshot's name, address, subject, message,
-- IP and user agent become tombstones, notes keep their text with the terms redacted, file names
-- of removed attachments go. Writes one audit_redactions row (who / through what / how many) with
-- the caller's audit context. Returns the number of audit rows changed.
CREATE FUNCTION audit_redact(p_erasure_id uuid, p_ticket_ids uuid[], p_terms text[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  ticket_rows integer;
  attachment_rows integer;
BEGIN
  PERFORM set_config('contactdesk.redacting', 'audit_redact', true);
  UPDATE contact_submission_events SET name = privacy_tombstone(), email = privacy_tombstone_email(),
      subject = privacy_tombstone(), message = privacy_tombstone(), ip_address = NULL, user_agent = NULL,
      admin_notes = privacy_redact_text(admin_notes, p_terms),
      resolution_notes = privacy_redact_text(resolution_notes, p_terms)
    WHERE ticket_id = ANY (p_ticket_ids)
      AND (name, email, subject, message, ip_address, user_agent, admin_notes, resolution_notes)
        IS DISTINCT FROM (privacy_tombstone(), privacy_tombstone_email(), privacy_tombstone(), privacy_tombstone(),
          NULL::inet, NULL::varchar, privacy_redact_text(admin_notes, p_terms), privacy_redact_text(resolution_notes, p_terms));
  GET DIAGNOSTICS ticket_rows = ROW_COUNT;
  UPDATE attachment_events SET file_name = privacy_tombstone()
    WHERE ticket_id = ANY (p_ticket_ids) AND file_name <> privacy_tombstone();
  GET DIAGNOSTICS attachment_rows = ROW_COUNT;
  PERFORM set_config('contactdesk.redacting', '', true);
  IF ticket_rows + attachment_rows > 0 THEN
    INSERT INTO audit_redactions (actor_id, source, request_id, erasure_request_id, ticket_events, attachment_events)
    VALUES (audit_actor_id(), audit_source(), audit_request_id(), p_erasure_id, ticket_rows, attachment_rows);
  END IF;
  RETURN ticket_rows + attachment_rows;
END $$;
REVOKE ALL ON FUNCTION audit_redact(uuid, uuid[], text[]) FROM PUBLIC;

-- The thread of these tickets: the customer's own messages become tombstones; staff replies and
-- notes stay, with the terms redacted and quoted lines ("> …", the customer's words) removed.
-- Returns the number of messages changed.
CREATE FUNCTION erase_ticket_messages(p_ticket_ids uuid[], p_terms text[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  PERFORM set_config('contactdesk.redacting', 'erase_ticket_messages', true);
  WITH target AS (
    SELECT m.id,
      CASE WHEN m.kind = 'customer' THEN privacy_tombstone() ELSE m.author_name END AS author_name,
      CASE WHEN m.kind = 'customer' THEN privacy_tombstone_email() ELSE m.author_email END AS author_email,
      CASE WHEN m.kind = 'customer' THEN privacy_tombstone()
           ELSE privacy_redact_text(regexp_replace(m.body_text, '^>.*$', '', 'gn'), p_terms) END AS body_text,
      CASE WHEN m.kind = 'customer' THEN NULL ELSE privacy_redact_text(m.body_html, p_terms) END AS body_html
    FROM ticket_messages m WHERE m.ticket_id = ANY (p_ticket_ids)
  )
  UPDATE ticket_messages m SET author_name = t.author_name, author_email = t.author_email,
      body_text = t.body_text, body_html = t.body_html
    FROM target t
    WHERE m.id = t.id
      AND (m.author_name, m.author_email, m.body_text, m.body_html)
        IS DISTINCT FROM (t.author_name, t.author_email, t.body_text, t.body_html);
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('contactdesk.redacting', '', true);
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION erase_ticket_messages(uuid[], text[]) FROM PUBLIC;

-- Audit trail: typed, append-only event tables filled by triggers on contact_submissions and
-- users. Table DDL generated with `prisma migrate diff`; the one hand edit is event_id, which is
-- a bigint IDENTITY (GENERATED ALWAYS) instead of BIGSERIAL so nothing can insert its own ids,
-- and changed_fields is NOT NULL (Prisma lists are never null; the triggers always set it).
-- The trigger SQL after the DDL is hand-written.

-- CreateTable
CREATE TABLE "contact_submission_events" (
    "event_id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "event_at" TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp(),
    "operation" "AuditOperation" NOT NULL,
    "changed_fields" TEXT[] NOT NULL,
    "actor_id" UUID,
    "source" VARCHAR(20) NOT NULL,
    "request_id" VARCHAR(100),
    "ticket_id" UUID NOT NULL,
    "ticket_number" VARCHAR(50) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "subject" VARCHAR(255) NOT NULL,
    "message" TEXT NOT NULL,
    "category" "TicketCategory" NOT NULL,
    "status" "TicketStatus" NOT NULL,
    "user_id" UUID,
    "assigned_to_id" UUID,
    "resolved_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "admin_notes" TEXT NOT NULL,
    "resolution_notes" TEXT NOT NULL,
    "ip_address" INET,
    "user_agent" VARCHAR(512),

    CONSTRAINT "contact_submission_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "user_events" (
    "event_id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "event_at" TIMESTAMPTZ(6) NOT NULL DEFAULT clock_timestamp(),
    "operation" "AuditOperation" NOT NULL,
    "changed_fields" TEXT[] NOT NULL,
    "actor_id" UUID,
    "source" VARCHAR(20) NOT NULL,
    "request_id" VARCHAR(100),
    "user_id" UUID NOT NULL,
    "email" CITEXT NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "role" "UserRole" NOT NULL,
    "is_active" BOOLEAN NOT NULL,
    "has_password" BOOLEAN NOT NULL,
    "password_changed" BOOLEAN NOT NULL,
    "password_changed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "contact_submission_events_ticket_id_event_id_idx" ON "contact_submission_events"("ticket_id", "event_id");

-- CreateIndex
CREATE INDEX "contact_submission_events_event_at_idx" ON "contact_submission_events"("event_at" DESC);

-- CreateIndex
CREATE INDEX "contact_submission_events_actor_id_event_at_idx" ON "contact_submission_events"("actor_id", "event_at" DESC);

-- CreateIndex
CREATE INDEX "user_events_user_id_event_id_idx" ON "user_events"("user_id", "event_id");

-- CreateIndex
CREATE INDEX "user_events_event_at_idx" ON "user_events"("event_at" DESC);

-- CreateIndex
CREATE INDEX "user_events_actor_id_event_at_idx" ON "user_events"("actor_id", "event_at" DESC);


-- ---------------------------------------------------------------------------------------------
-- Hand-written: who / through what. The app sets these with set_config(..., true) at the start
-- of every write transaction (src/db/tx.ts). A write made without them (psql, a script) is
-- recorded with source 'sql' and no actor.

ALTER TABLE "contact_submission_events" ADD CONSTRAINT "contact_submission_events_source_check"
  CHECK ("source" IN ('api', 'admin', 'worker', 'cli', 'system', 'sql'));
ALTER TABLE "user_events" ADD CONSTRAINT "user_events_source_check"
  CHECK ("source" IN ('api', 'admin', 'worker', 'cli', 'system', 'sql'));

CREATE FUNCTION audit_source() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT COALESCE(NULLIF(current_setting('contactdesk.source', true), ''), 'sql')
$$;

-- A malformed actor id makes the write fail loudly rather than be recorded without its author.
CREATE FUNCTION audit_actor_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT NULLIF(current_setting('contactdesk.actor_id', true), '')::uuid
$$;

CREATE FUNCTION audit_request_id() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT left(NULLIF(current_setting('contactdesk.request_id', true), ''), 100)
$$;

-- ---------------------------------------------------------------------------------------------
-- Tickets. Field names are the API's snake_case names. updated_at is not compared: the app bumps
-- it on every write, and an update that changes nothing else is not an event. Insert and delete
-- compare against an all-NULL row, so their changed_fields are the fields that had a value.

CREATE FUNCTION contact_submission_changed_fields(a contact_submissions, b contact_submissions)
RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  changed text[] := '{}';
BEGIN
  IF a.id IS DISTINCT FROM b.id THEN changed := changed || 'id'::text; END IF;
  IF a.ticket_number IS DISTINCT FROM b.ticket_number THEN changed := changed || 'ticket_number'::text; END IF;
  IF a.name IS DISTINCT FROM b.name THEN changed := changed || 'name'::text; END IF;
  IF a.email IS DISTINCT FROM b.email THEN changed := changed || 'email'::text; END IF;
  IF a.subject IS DISTINCT FROM b.subject THEN changed := changed || 'subject'::text; END IF;
  IF a.message IS DISTINCT FROM b.message THEN changed := changed || 'message'::text; END IF;
  IF a.category IS DISTINCT FROM b.category THEN changed := changed || 'category'::text; END IF;
  IF a.status IS DISTINCT FROM b.status THEN changed := changed || 'status'::text; END IF;
  IF a.user_id IS DISTINCT FROM b.user_id THEN changed := changed || 'user_id'::text; END IF;
  IF a.assigned_to_id IS DISTINCT FROM b.assigned_to_id THEN changed := changed || 'assigned_to_id'::text; END IF;
  IF a.resolved_by_id IS DISTINCT FROM b.resolved_by_id THEN changed := changed || 'resolved_by_id'::text; END IF;
  IF a.created_at IS DISTINCT FROM b.created_at THEN changed := changed || 'created_at'::text; END IF;
  IF a.resolved_at IS DISTINCT FROM b.resolved_at THEN changed := changed || 'resolved_at'::text; END IF;
  IF a.admin_notes IS DISTINCT FROM b.admin_notes THEN changed := changed || 'admin_notes'::text; END IF;
  IF a.resolution_notes IS DISTINCT FROM b.resolution_notes THEN changed := changed || 'resolution_notes'::text; END IF;
  IF a.ip_address IS DISTINCT FROM b.ip_address THEN changed := changed || 'ip_address'::text; END IF;
  IF a.user_agent IS DISTINCT FROM b.user_agent THEN changed := changed || 'user_agent'::text; END IF;
  RETURN changed;
END
$$;

CREATE FUNCTION contact_submissions_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  blank contact_submissions;
  snap contact_submissions;
  changed text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    snap := NEW;
    changed := contact_submission_changed_fields(blank, NEW);
  ELSIF TG_OP = 'UPDATE' THEN
    snap := NEW;
    changed := contact_submission_changed_fields(OLD, NEW);
    IF cardinality(changed) = 0 THEN RETURN NULL; END IF;
  ELSE
    -- A delete keeps the full last state of the row.
    snap := OLD;
    changed := contact_submission_changed_fields(OLD, blank);
  END IF;
  INSERT INTO contact_submission_events
    (operation, changed_fields, actor_id, source, request_id,
     ticket_id, ticket_number, name, email, subject, message, category, status, user_id,
     assigned_to_id, resolved_by_id, created_at, updated_at, resolved_at, admin_notes,
     resolution_notes, ip_address, user_agent)
  VALUES
    (lower(TG_OP)::"AuditOperation", changed, audit_actor_id(), audit_source(), audit_request_id(),
     snap.id, snap.ticket_number, snap.name, snap.email, snap.subject, snap.message, snap.category,
     snap.status, snap.user_id, snap.assigned_to_id, snap.resolved_by_id, snap.created_at,
     snap.updated_at, snap.resolved_at, snap.admin_notes, snap.resolution_notes, snap.ip_address,
     snap.user_agent);
  RETURN NULL;
END
$$;

CREATE TRIGGER contact_submissions_audit
  AFTER INSERT OR UPDATE OR DELETE ON contact_submissions
  FOR EACH ROW EXECUTE FUNCTION contact_submissions_audit();

-- ---------------------------------------------------------------------------------------------
-- Users: identity, role, active flag and password changes. The hash itself is never copied: a
-- changed hash shows up as the field 'password' and password_changed = true. updated_at and
-- last_login_at are not compared (a login is not an account change).

CREATE FUNCTION user_changed_fields(a users, b users) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  changed text[] := '{}';
BEGIN
  IF a.id IS DISTINCT FROM b.id THEN changed := changed || 'id'::text; END IF;
  -- citext compares case-insensitively; a change of case is still a change.
  IF a.email::text IS DISTINCT FROM b.email::text THEN changed := changed || 'email'::text; END IF;
  IF a.name IS DISTINCT FROM b.name THEN changed := changed || 'name'::text; END IF;
  IF a.role IS DISTINCT FROM b.role THEN changed := changed || 'role'::text; END IF;
  IF a.is_active IS DISTINCT FROM b.is_active THEN changed := changed || 'is_active'::text; END IF;
  IF a.password_hash IS DISTINCT FROM b.password_hash THEN changed := changed || 'password'::text; END IF;
  IF a.password_changed_at IS DISTINCT FROM b.password_changed_at THEN
    changed := changed || 'password_changed_at'::text;
  END IF;
  IF a.created_at IS DISTINCT FROM b.created_at THEN changed := changed || 'created_at'::text; END IF;
  RETURN changed;
END
$$;

CREATE FUNCTION users_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  blank users;
  snap users;
  changed text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    snap := NEW;
    changed := user_changed_fields(blank, NEW);
  ELSIF TG_OP = 'UPDATE' THEN
    snap := NEW;
    changed := user_changed_fields(OLD, NEW);
    IF cardinality(changed) = 0 THEN RETURN NULL; END IF;
  ELSE
    snap := OLD;
    changed := user_changed_fields(OLD, blank);
  END IF;
  INSERT INTO user_events
    (operation, changed_fields, actor_id, source, request_id, user_id, email, name, role,
     is_active, has_password, password_changed, password_changed_at, created_at)
  VALUES
    (lower(TG_OP)::"AuditOperation", changed, audit_actor_id(), audit_source(), audit_request_id(),
     snap.id, snap.email, snap.name, snap.role, snap.is_active, snap.password_hash IS NOT NULL,
     TG_OP <> 'DELETE' AND 'password' = ANY (changed), snap.password_changed_at, snap.created_at);
  RETURN NULL;
END
$$;

CREATE TRIGGER users_audit
  AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION users_audit();

-- ---------------------------------------------------------------------------------------------
-- Append-only: events can be added (by the triggers above) but never changed or removed.

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER contact_submission_events_append_only
  BEFORE UPDATE OR DELETE ON contact_submission_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER contact_submission_events_no_truncate
  BEFORE TRUNCATE ON contact_submission_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER user_events_append_only
  BEFORE UPDATE OR DELETE ON user_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER user_events_no_truncate
  BEFORE TRUNCATE ON user_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

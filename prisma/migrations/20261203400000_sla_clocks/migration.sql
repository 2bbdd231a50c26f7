-- SLA clocks, auto-archive and the morning digest (issue 14 §4, §5). See docs/sla.md.

-- The business calendar the clocks count in: one row (id 1). weekly_hours maps ISO weekdays
-- (1 = Monday … 7 = Sunday) to [start, end) windows in local time, e.g. {"1": [["09:00","17:00"]]};
-- holidays come from date-holidays (country / region, public holidays only) plus an explicit list.
CREATE TABLE "sla_calendars" (
    "id" SMALLINT NOT NULL DEFAULT 1,
    "time_zone" VARCHAR(64) NOT NULL,
    "weekly_hours" JSONB NOT NULL,
    "holiday_country" VARCHAR(2),
    "holiday_region" VARCHAR(10),
    "holidays" DATE[] NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sla_calendars_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "sla_calendars_single_row" CHECK ("id" = 1)
);

-- Targets in business minutes, per priority, optionally narrowed to one category (a row with a
-- category wins over the priority's general row).
CREATE TABLE "sla_policies" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "priority" "TicketPriority" NOT NULL,
    "category" "TicketCategory",
    "first_response_minutes" INTEGER NOT NULL,
    "resolution_minutes" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sla_policies_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "sla_policies_minutes_positive" CHECK ("first_response_minutes" > 0 AND "resolution_minutes" > 0)
);
CREATE UNIQUE INDEX "sla_policies_priority_category_key" ON "sla_policies"("priority", "category") NULLS NOT DISTINCT;

-- The default: Mon–Fri 09:00–17:00 Europe/Berlin, German public holidays (nationwide ones: no region).
-- A business day is 8 business hours.
INSERT INTO "sla_calendars" ("id", "time_zone", "weekly_hours", "holiday_country")
VALUES (1, 'Europe/Berlin',
  '{"1":[["09:00","17:00"]],"2":[["09:00","17:00"]],"3":[["09:00","17:00"]],"4":[["09:00","17:00"]],"5":[["09:00","17:00"]]}',
  'DE');
INSERT INTO "sla_policies" ("priority", "first_response_minutes", "resolution_minutes") VALUES
  ('urgent', 60, 240),      -- 1 h / 4 h
  ('high', 240, 480),       -- 4 h / 1 business day
  ('normal', 480, 1440),    -- 8 h (1 business day) / 3 business days
  ('low', 960, 2400);       -- 2 business days / 5 business days

-- The clocks' state on the ticket (declared in src/contact/ticket.fields.ts). Derived values,
-- recomputed from the thread on every relevant change (src/sla/sla.service.ts), so they are not
-- audited (see contact_submission_changed_fields below) and not on contact_submission_events.
ALTER TABLE "contact_submissions"
  ADD COLUMN "sla_first_response_due_at" TIMESTAMPTZ(3),
  ADD COLUMN "sla_first_response_at" TIMESTAMPTZ(3),
  ADD COLUMN "sla_resolution_due_at" TIMESTAMPTZ(3),
  ADD COLUMN "sla_paused_since" TIMESTAMPTZ(3);
-- The sweep's and the breaching filters' scan: open tickets by their next due time.
CREATE INDEX "contact_submissions_sla_resolution_due_idx" ON "contact_submissions"("sla_resolution_due_at")
  WHERE "status" IN ('pending', 'in_progress');
CREATE INDEX "contact_submissions_sla_first_response_due_idx" ON "contact_submissions"("sla_first_response_due_at")
  WHERE "status" IN ('pending', 'in_progress') AND "sla_first_response_at" IS NULL;

-- When a ticket was closed (resolved / archived) or reopened, on the application's clock: the
-- resolution clock does not run while the ticket is closed.
CREATE TABLE "sla_status_events" (
    "ticket_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "closed" BOOLEAN NOT NULL
);
CREATE INDEX "sla_status_events_ticket_id_at_idx" ON "sla_status_events"("ticket_id", "at");
ALTER TABLE "sla_status_events" ADD CONSTRAINT "sla_status_events_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One alert per ticket, target and kind, ever: the sweep inserts here and queues the mail in the
-- same statement, so a second run (or a second worker) finds the row and sends nothing.
CREATE TABLE "sla_alerts" (
    "ticket_id" UUID NOT NULL,
    "target" VARCHAR(20) NOT NULL,
    "kind" VARCHAR(10) NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "sla_alerts_pkey" PRIMARY KEY ("ticket_id", "target", "kind"),
    CONSTRAINT "sla_alerts_target_check" CHECK ("target" IN ('first_response', 'resolution')),
    CONSTRAINT "sla_alerts_kind_check" CHECK ("kind" IN ('warning', 'breach'))
);
ALTER TABLE "sla_alerts" ADD CONSTRAINT "sla_alerts_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One digest per moderator and local day.
CREATE TABLE "digest_runs" (
    "user_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "digest_runs_pkey" PRIMARY KEY ("user_id", "day")
);
ALTER TABLE "digest_runs" ADD CONSTRAINT "digest_runs_user_id_fkey"
  FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "users" ADD COLUMN "digest_opt_out" BOOLEAN NOT NULL DEFAULT false;

-- New mail kinds (used from the next migration on: a new enum value cannot be used in the
-- transaction that adds it).
ALTER TYPE "EmailKind" ADD VALUE IF NOT EXISTS 'sla_warning';
ALTER TYPE "EmailKind" ADD VALUE IF NOT EXISTS 'sla_breach';
ALTER TYPE "EmailKind" ADD VALUE IF NOT EXISTS 'moderator_digest';

-- The SLA columns are derived state: a change of only them is no event in the ticket's history.
CREATE OR REPLACE FUNCTION contact_submission_changed_fields(a contact_submissions, b contact_submissions)
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  -- json (not jsonb) keeps the columns in table order, so changed_fields read in column order.
  -- A blank row (insert / delete) is a NULL record: its side is missing and compares as null.
  -- updated_at is not compared: the app bumps it on every write.
  SELECT COALESCE(array_agg(k ORDER BY n), '{}')
  FROM (
    SELECT COALESCE(ea.key, eb.key) AS k, COALESCE(ea.n, eb.n) AS n,
      COALESCE(ea.value::text, 'null') AS va, COALESCE(eb.value::text, 'null') AS vb
    FROM json_each(COALESCE(row_to_json(a), '{}'::json)) WITH ORDINALITY AS ea(key, value, n)
    FULL JOIN json_each(COALESCE(row_to_json(b), '{}'::json)) WITH ORDINALITY AS eb(key, value, n)
      ON eb.key = ea.key
  ) x
  WHERE k <> 'updated_at' AND k NOT LIKE 'sla\_%' AND va IS DISTINCT FROM vb
$$;

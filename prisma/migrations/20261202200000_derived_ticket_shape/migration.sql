-- The ticket's shape is declared once (src/contact/ticket.fields.ts); the database side follows
-- it without per-field code:
-- 1. The audit trigger compares and snapshots rows generically: a new column of
--    contact_submissions is audited as soon as contact_submission_events has a column of the same
--    name (added by the same migration that adds the field). JSON is used only as a transient
--    value inside the trigger to walk the columns; nothing is stored as JSON.
-- 2. CSV export filters are stored one row per (parameter, value), so a new filter needs no new
--    csv_exports column.

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
  WHERE k <> 'updated_at' AND va IS DISTINCT FROM vb
$$;

CREATE OR REPLACE FUNCTION contact_submissions_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  blank contact_submissions;
  snap contact_submissions;
  changed text[];
  event contact_submission_events;
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
  -- The snapshot's columns carry the ticket's column names (its id is ticket_id).
  event := jsonb_populate_record(NULL::contact_submission_events,
    (to_jsonb(snap) - 'id') || jsonb_build_object(
      'ticket_id', snap.id,
      'event_at', clock_timestamp(),
      'operation', lower(TG_OP),
      'changed_fields', to_jsonb(changed),
      'actor_id', audit_actor_id(),
      'source', audit_source(),
      'request_id', audit_request_id()));
  -- OVERRIDING USER VALUE: event_id comes from its identity sequence, never from the record.
  INSERT INTO contact_submission_events OVERRIDING USER VALUE SELECT (event).*;
  RETURN NULL;
END
$$;

CREATE TABLE "csv_export_filters" (
    "export_id" UUID NOT NULL,
    "param" VARCHAR(40) NOT NULL,
    "value" VARCHAR(255) NOT NULL,

    CONSTRAINT "csv_export_filters_pkey" PRIMARY KEY ("export_id","param","value")
);
ALTER TABLE "csv_export_filters" ADD CONSTRAINT "csv_export_filters_export_id_fkey"
  FOREIGN KEY ("export_id") REFERENCES "csv_exports"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO csv_export_filters (export_id, param, value)
SELECT id, 'status', s::text FROM csv_exports, unnest(statuses) AS s
UNION ALL SELECT id, 'category', c::text FROM csv_exports, unnest(categories) AS c
UNION ALL SELECT id, 'assigned_to', assigned_to FROM csv_exports WHERE assigned_to IS NOT NULL
UNION ALL SELECT id, 'q', left(search, 255) FROM csv_exports WHERE search IS NOT NULL
UNION ALL SELECT id, 'created_after', to_char(created_after AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  FROM csv_exports WHERE created_after IS NOT NULL
UNION ALL SELECT id, 'created_before', to_char(created_before AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  FROM csv_exports WHERE created_before IS NOT NULL
UNION ALL SELECT id, 'include_archived', 'true' FROM csv_exports WHERE include_archived
ON CONFLICT DO NOTHING;

ALTER TABLE "csv_exports" DROP COLUMN "statuses", DROP COLUMN "categories", DROP COLUMN "assigned_to",
  DROP COLUMN "search", DROP COLUMN "created_after", DROP COLUMN "created_before", DROP COLUMN "include_archived";

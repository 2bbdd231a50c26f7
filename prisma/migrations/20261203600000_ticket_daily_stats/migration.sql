-- Stats that stay fast (issue 14 §6, docs/performance.md "Stats"). Per UTC day: tickets created,
-- resolved and first-responded, in total and per category, per priority and per assignee;
-- histograms of resolution and first-response times in fixed log-spaced buckets; open tickets per
-- assignee. All kept by triggers on contact_submissions in the writing transaction, so stats/overview and the panel
-- dashboard read O(days) rows instead of O(tickets).
--
-- What a ticket contributes is a function of its current row only (ticket_stat_facts): created on
-- its created_at day; resolved on its resolved_at day while resolved/archived; first-responded on
-- its sla_first_response_at day (the first public staff reply, kept on the ticket by src/sla in the
-- reply's own transaction — one definition of "first response"). A change of category, priority,
-- assignee or status moves the contribution; a delete removes it; a rollback never happened.
--
-- Write contention: the submit path inserts (ticket_counters already serialises inserts of one
-- day), so INSERT statements add to the totals directly. Every other change (moderators, the SLA
-- recompute, deletes) appends signed deltas instead — insert-only, so those writers never wait on
-- the day's hot rows, on each other, or deadlock with a submit batch; the worker folds the deltas
-- in every minute (compactTicketStats), and reads add the few unfolded ones.

CREATE TYPE "TicketMetric" AS ENUM ('created', 'resolved', 'first_responded');
-- Which breakdown a row is: the day's total, or one value of one dimension.
CREATE TYPE "TicketStatDim" AS ENUM ('total', 'category', 'priority', 'assignee');

-- Per day, metric and dimension value (the marginals, not the category × priority × assignee
-- cube: a day of the cube has up to 7 × 4 × moderators rows, the marginals 1 + 7 + 4 + moderators,
-- so 30 days of totals are 30 rows and a breakdown ~30 × its values, however many tickets).
-- key: '' for the total and for "unassigned", else the category / priority value or the user id.
-- No foreign key to users: a deleted user's tickets move to unassigned (the ticket FK sets NULL,
-- which the update trigger sees).
CREATE TABLE "ticket_daily_stats" (
    "dim" "TicketStatDim" NOT NULL,
    "day" DATE NOT NULL,
    "metric" "TicketMetric" NOT NULL,
    "key" VARCHAR(36) NOT NULL,
    "n" INTEGER NOT NULL,
    -- Sum of the durations (resolved: resolved_at - created_at; first_responded: the reply's); 0 for created.
    "seconds" BIGINT NOT NULL,

    CONSTRAINT "ticket_daily_stats_pkey" PRIMARY KEY ("dim", "day", "metric", "key")
);

CREATE TABLE "ticket_daily_stat_deltas" (
    "id" BIGSERIAL NOT NULL,
    "dim" "TicketStatDim" NOT NULL,
    "day" DATE NOT NULL,
    "metric" "TicketMetric" NOT NULL,
    "key" VARCHAR(36) NOT NULL,
    "n" INTEGER NOT NULL,
    "seconds" BIGINT NOT NULL,

    CONSTRAINT "ticket_daily_stat_deltas_pkey" PRIMARY KEY ("id")
);

-- Durations per day in buckets (ticket_stat_bucket): bucket 0 is [0, 1 s), bucket k ≥ 1 is
-- [2^((k-1)/8), 2^(k/8)) seconds — 8 per doubling, so a percentile read from the buckets is within
-- 2^(1/16) - 1 = 4.4 % of the exact one (src/stats/histogram.ts).
CREATE TABLE "ticket_daily_durations" (
    "day" DATE NOT NULL,
    "metric" "TicketMetric" NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "ticket_daily_durations_pkey" PRIMARY KEY ("day", "metric", "bucket")
);

CREATE TABLE "ticket_daily_duration_deltas" (
    "id" BIGSERIAL NOT NULL,
    "day" DATE NOT NULL,
    "metric" "TicketMetric" NOT NULL,
    "bucket" SMALLINT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "ticket_daily_duration_deltas_pkey" PRIMARY KEY ("id")
);

-- Open (pending / in progress) tickets per assignee ('' = unassigned): counting them took a scan
-- of every open ticket (~50 ms at 1M).
CREATE TABLE "ticket_open_by_assignee" (
    "key" VARCHAR(36) NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "ticket_open_by_assignee_pkey" PRIMARY KEY ("key")
);

CREATE TABLE "ticket_open_by_assignee_deltas" (
    "id" BIGSERIAL NOT NULL,
    "key" VARCHAR(36) NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "ticket_open_by_assignee_deltas_pkey" PRIMARY KEY ("id")
);

-- The partial first day of a rolling window ("first responses in the last 7 days") is read from
-- the tickets themselves, index-only (the same as contact_submissions_resolved_at_idx does for
-- resolutions and contact_submissions_created_at_idx for created).
CREATE INDEX "contact_submissions_sla_first_response_at_idx" ON "contact_submissions"("sla_first_response_at")
  INCLUDE ("created_at") WHERE "sla_first_response_at" IS NOT NULL;

-- --- What one ticket contributes --------------------------------------------------------------

-- Float logarithm (numeric log() cost ~50 µs a row). A value on a bucket edge may land on either
-- side; the error bound holds for both.
CREATE FUNCTION ticket_stat_bucket(seconds BIGINT) RETURNS SMALLINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN seconds < 1 THEN 0 ELSE least(1 + floor(8 * ln(seconds::float8) / ln(2::float8)), 32000) END::smallint
$$;

-- The rows a fact adds to ticket_daily_stats: the day's total and one per dimension.
CREATE FUNCTION ticket_stat_keys(category "TicketCategory", priority "TicketPriority", assigned_to_id UUID)
RETURNS TABLE (dim "TicketStatDim", key VARCHAR(36))
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  VALUES ('total'::"TicketStatDim", ''::varchar), ('category', category::text), ('priority', priority::text),
         ('assignee', coalesce(assigned_to_id::text, ''))
$$;

CREATE FUNCTION ticket_stat_facts(
  status "TicketStatus", created_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ, first_response_at TIMESTAMPTZ
) RETURNS TABLE (day DATE, metric "TicketMetric", seconds BIGINT)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT v.day, v.metric, v.seconds FROM (VALUES
    ((created_at AT TIME ZONE 'UTC')::date, 'created'::"TicketMetric", 0::bigint),
    (CASE WHEN status IN ('resolved', 'archived') THEN (resolved_at AT TIME ZONE 'UTC')::date END, 'resolved',
     greatest(0, floor(extract(epoch FROM resolved_at - created_at)))::bigint),
    ((first_response_at AT TIME ZONE 'UTC')::date, 'first_responded',
     greatest(0, floor(extract(epoch FROM first_response_at - created_at)))::bigint)
  ) v(day, metric, seconds)
  WHERE v.day IS NOT NULL
$$;

-- --- Applying changes -------------------------------------------------------------------------
-- A change is a ticket row's stat columns with a sign (+1 added, -1 removed). ticket_stats_apply
-- groups the changes' facts and writes them: `direct` upserts into the totals (the INSERT path, in
-- key order), otherwise appends deltas. One place for what a change does to every table.
CREATE TYPE ticket_stat_change AS (
  sign INTEGER, status "TicketStatus", category "TicketCategory", priority "TicketPriority",
  assigned_to_id UUID, created_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ, first_response_at TIMESTAMPTZ
);

CREATE FUNCTION ticket_stats_apply(changes ticket_stat_change[], direct BOOLEAN) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF direct THEN
    INSERT INTO ticket_daily_stats AS s (dim, day, metric, key, n, seconds)
    SELECT k.dim, f.day, f.metric, k.key, sum(c.sign), sum(c.sign * f.seconds)
    FROM unnest(changes) c
    CROSS JOIN LATERAL ticket_stat_facts(c.status, c.created_at, c.resolved_at, c.first_response_at) f
    CROSS JOIN LATERAL ticket_stat_keys(c.category, c.priority, c.assigned_to_id) k
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (dim, day, metric, key) DO UPDATE SET n = s.n + EXCLUDED.n, seconds = s.seconds + EXCLUDED.seconds;
    -- A submitted ticket is neither resolved nor answered yet: only imports get this far.
    IF EXISTS (SELECT 1 FROM unnest(changes) c WHERE c.resolved_at IS NOT NULL OR c.first_response_at IS NOT NULL) THEN
      INSERT INTO ticket_daily_durations AS d (day, metric, bucket, n)
      SELECT f.day, f.metric, ticket_stat_bucket(f.seconds), sum(c.sign)
      FROM unnest(changes) c CROSS JOIN LATERAL ticket_stat_facts(c.status, c.created_at, c.resolved_at, c.first_response_at) f
      WHERE f.metric <> 'created'
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (day, metric, bucket) DO UPDATE SET n = d.n + EXCLUDED.n;
    END IF;
    INSERT INTO ticket_open_by_assignee AS o (key, n)
    SELECT coalesce(c.assigned_to_id::text, ''), sum(c.sign)
    FROM unnest(changes) c WHERE c.status IN ('pending', 'in_progress')
    GROUP BY 1 ORDER BY 1
    ON CONFLICT (key) DO UPDATE SET n = o.n + EXCLUDED.n;
  ELSE
    INSERT INTO ticket_daily_stat_deltas (dim, day, metric, key, n, seconds)
    SELECT k.dim, f.day, f.metric, k.key, sum(c.sign), sum(c.sign * f.seconds)
    FROM unnest(changes) c
    CROSS JOIN LATERAL ticket_stat_facts(c.status, c.created_at, c.resolved_at, c.first_response_at) f
    CROSS JOIN LATERAL ticket_stat_keys(c.category, c.priority, c.assigned_to_id) k
    GROUP BY 1, 2, 3, 4
    HAVING sum(c.sign) <> 0 OR sum(c.sign * f.seconds) <> 0;
    INSERT INTO ticket_daily_duration_deltas (day, metric, bucket, n)
    SELECT f.day, f.metric, ticket_stat_bucket(f.seconds), sum(c.sign)
    FROM unnest(changes) c CROSS JOIN LATERAL ticket_stat_facts(c.status, c.created_at, c.resolved_at, c.first_response_at) f
    WHERE f.metric <> 'created'
    GROUP BY 1, 2, 3
    HAVING sum(c.sign) <> 0;
    INSERT INTO ticket_open_by_assignee_deltas (key, n)
    SELECT coalesce(c.assigned_to_id::text, ''), sum(c.sign)
    FROM unnest(changes) c WHERE c.status IN ('pending', 'in_progress')
    GROUP BY 1 HAVING sum(c.sign) <> 0;
  END IF;
END $$;

-- --- Triggers -----------------------------------------------------------------------------------
-- Statement-level with transition tables: one write per group and statement, whatever the number
-- of rows (a bulk action of 500 tickets).

CREATE FUNCTION ticket_stats_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ticket_stats_apply(ARRAY(
    SELECT ROW(1, status, category, priority, assigned_to_id, created_at, resolved_at, sla_first_response_at)::ticket_stat_change
    FROM new_rows), true);
  RETURN NULL;
END $$;

CREATE FUNCTION ticket_stats_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Most updates (notes, SLA due times) move nothing: one cheap check skips them.
  IF NOT EXISTS (
    SELECT 1 FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
    WHERE o.id IS NULL OR n.id IS NULL
       OR (o.status, o.category, o.priority, o.assigned_to_id, o.created_at, o.resolved_at, o.sla_first_response_at)
          IS DISTINCT FROM (n.status, n.category, n.priority, n.assigned_to_id, n.created_at, n.resolved_at, n.sla_first_response_at)
  ) THEN
    RETURN NULL;
  END IF;
  PERFORM ticket_stats_apply(ARRAY(
    SELECT ROW(-1, status, category, priority, assigned_to_id, created_at, resolved_at, sla_first_response_at)::ticket_stat_change
    FROM old_rows
    UNION ALL
    SELECT ROW(1, status, category, priority, assigned_to_id, created_at, resolved_at, sla_first_response_at)::ticket_stat_change
    FROM new_rows), false);
  RETURN NULL;
END $$;

CREATE FUNCTION ticket_stats_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ticket_stats_apply(ARRAY(
    SELECT ROW(-1, status, category, priority, assigned_to_id, created_at, resolved_at, sla_first_response_at)::ticket_stat_change
    FROM old_rows), false);
  RETURN NULL;
END $$;

CREATE TRIGGER ticket_stats_insert AFTER INSERT ON "contact_submissions"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_stats_after_insert();
CREATE TRIGGER ticket_stats_update AFTER UPDATE ON "contact_submissions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_stats_after_update();
CREATE TRIGGER ticket_stats_delete AFTER DELETE ON "contact_submissions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_stats_after_delete();

-- --- Rebuild and backfill -----------------------------------------------------------------------
-- Recounts everything from the tickets (here, for the existing data; and after a bulk import with
-- triggers off, as bench/seed.ts does: src/stats/ticket-stats.ts rebuildTicketStats).
CREATE FUNCTION ticket_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE ticket_daily_stats, ticket_daily_stat_deltas, ticket_daily_durations, ticket_daily_duration_deltas,
    ticket_open_by_assignee, ticket_open_by_assignee_deltas IN EXCLUSIVE MODE;
  DELETE FROM ticket_daily_stat_deltas;
  DELETE FROM ticket_daily_duration_deltas;
  DELETE FROM ticket_open_by_assignee_deltas;
  DELETE FROM ticket_daily_stats;
  DELETE FROM ticket_daily_durations;
  DELETE FROM ticket_open_by_assignee;
  INSERT INTO ticket_daily_stats (dim, day, metric, key, n, seconds)
  SELECT k.dim, f.day, f.metric, k.key, count(*), sum(f.seconds)
  FROM contact_submissions t
  CROSS JOIN LATERAL ticket_stat_facts(t.status, t.created_at, t.resolved_at, t.sla_first_response_at) f
  CROSS JOIN LATERAL ticket_stat_keys(t.category, t.priority, t.assigned_to_id) k
  GROUP BY 1, 2, 3, 4;
  INSERT INTO ticket_daily_durations (day, metric, bucket, n)
  SELECT f.day, f.metric, ticket_stat_bucket(f.seconds), count(*)
  FROM contact_submissions t
  CROSS JOIN LATERAL ticket_stat_facts(t.status, t.created_at, t.resolved_at, t.sla_first_response_at) f
  WHERE f.metric <> 'created'
  GROUP BY 1, 2, 3;
  INSERT INTO ticket_open_by_assignee (key, n)
  SELECT coalesce(assigned_to_id::text, ''), count(*)
  FROM contact_submissions WHERE status IN ('pending', 'in_progress')
  GROUP BY 1;
END $$;

SELECT ticket_stats_rebuild();

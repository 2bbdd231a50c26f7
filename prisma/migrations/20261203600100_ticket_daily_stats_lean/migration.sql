-- Per-day stats, leaner on the submit path (measured with npm run bench:stats: the insert trigger
-- wrote five rows per submitted ticket). Unassigned tickets get no rows of their own any more: no
-- ('assignee', '') marginal and no '' open count — "unassigned" is the day's total minus the
-- assigned users' rows (src/stats/activity.ts), and open unassigned tickets are counted by
-- ticket_counts already. A submit (always unassigned) now writes three rows: the day's total, its
-- category and its priority.

CREATE OR REPLACE FUNCTION ticket_stat_keys(category "TicketCategory", priority "TicketPriority", assigned_to_id UUID)
RETURNS TABLE (dim "TicketStatDim", key VARCHAR(36))
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT v.dim, v.key FROM (VALUES ('total'::"TicketStatDim", ''::varchar), ('category', category::text),
    ('priority', priority::text), ('assignee', assigned_to_id::text)) v(dim, key)
  WHERE v.key IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION ticket_stats_apply(changes ticket_stat_change[], direct BOOLEAN) RETURNS void
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
    -- A submitted ticket is unassigned: nothing to count per assignee.
    IF EXISTS (SELECT 1 FROM unnest(changes) c WHERE c.assigned_to_id IS NOT NULL) THEN
      INSERT INTO ticket_open_by_assignee AS o (key, n)
      SELECT c.assigned_to_id::text, sum(c.sign)
      FROM unnest(changes) c WHERE c.status IN ('pending', 'in_progress') AND c.assigned_to_id IS NOT NULL
      GROUP BY 1 ORDER BY 1
      ON CONFLICT (key) DO UPDATE SET n = o.n + EXCLUDED.n;
    END IF;
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
    SELECT c.assigned_to_id::text, sum(c.sign)
    FROM unnest(changes) c WHERE c.status IN ('pending', 'in_progress') AND c.assigned_to_id IS NOT NULL
    GROUP BY 1 HAVING sum(c.sign) <> 0;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION ticket_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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
  SELECT assigned_to_id::text, count(*)
  FROM contact_submissions WHERE status IN ('pending', 'in_progress') AND assigned_to_id IS NOT NULL
  GROUP BY 1;
END $$;

LOCK TABLE ticket_daily_stats, ticket_daily_stat_deltas, ticket_open_by_assignee, ticket_open_by_assignee_deltas
  IN EXCLUSIVE MODE;
DELETE FROM ticket_daily_stats WHERE dim = 'assignee' AND key = '';
DELETE FROM ticket_daily_stat_deltas WHERE dim = 'assignee' AND key = '';
DELETE FROM ticket_open_by_assignee WHERE key = '';
DELETE FROM ticket_open_by_assignee_deltas WHERE key = '';

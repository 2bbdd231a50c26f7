-- Per-day stats: the INSERT trigger per row (measured with npm run bench:stats, submit with the
-- trigger on vs off: 0.88×). A submit is a one-row INSERT statement; as a statement trigger it
-- paid for the transition table, an array of changes, a nested function call and three unnest
-- joins. Per row it is one upsert of three rows (the day's total, category, priority — through
-- the same ticket_stat_facts / ticket_stat_keys), and the durations / open-per-assignee writes
-- only run for a row that has them (an import of resolved or assigned tickets). Updates and
-- deletes keep their statement triggers (bulk actions: one write per group, as deltas).

CREATE OR REPLACE FUNCTION ticket_stats_after_insert_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_daily_stats AS s (dim, day, metric, key, n, seconds)
  SELECT k.dim, f.day, f.metric, k.key, 1, f.seconds
  FROM ticket_stat_facts(NEW.status, NEW.created_at, NEW.resolved_at, NEW.sla_first_response_at) f,
       ticket_stat_keys(NEW.category, NEW.priority, NEW.assigned_to_id) k
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (dim, day, metric, key) DO UPDATE SET n = s.n + EXCLUDED.n, seconds = s.seconds + EXCLUDED.seconds;
  IF NEW.resolved_at IS NOT NULL OR NEW.sla_first_response_at IS NOT NULL THEN
    INSERT INTO ticket_daily_durations AS d (day, metric, bucket, n)
    SELECT f.day, f.metric, ticket_stat_bucket(f.seconds), 1
    FROM ticket_stat_facts(NEW.status, NEW.created_at, NEW.resolved_at, NEW.sla_first_response_at) f
    WHERE f.metric <> 'created'
    ORDER BY 1, 2, 3
    ON CONFLICT (day, metric, bucket) DO UPDATE SET n = d.n + EXCLUDED.n;
  END IF;
  IF NEW.assigned_to_id IS NOT NULL AND NEW.status IN ('pending', 'in_progress') THEN
    INSERT INTO ticket_open_by_assignee AS o (key, n) VALUES (NEW.assigned_to_id::text, 1)
    ON CONFLICT (key) DO UPDATE SET n = o.n + 1;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER ticket_stats_insert ON "contact_submissions";
DROP FUNCTION ticket_stats_after_insert();
CREATE TRIGGER ticket_stats_insert AFTER INSERT ON "contact_submissions"
  FOR EACH ROW EXECUTE FUNCTION ticket_stats_after_insert_row();

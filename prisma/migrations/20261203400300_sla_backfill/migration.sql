-- Open tickets from before the SLA clocks get their due times from the worker's
-- sla_recompute_open task (src/sla/sla.jobs.ts, business hours are computed in the app). On a
-- database that already has the job queue the task is queued here; a fresh database has no
-- tickets to backfill (and installs the queue after the migrations).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'graphile_worker')
     AND EXISTS (SELECT 1 FROM contact_submissions WHERE status IN ('pending', 'in_progress')) THEN
    PERFORM graphile_worker.add_job('sla_recompute_open', '{}'::json,
      job_key := 'sla:recompute_open', max_attempts := 5);
  END IF;
END
$$;

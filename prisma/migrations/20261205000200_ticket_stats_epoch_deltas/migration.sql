-- The settled-days cache also keeps the rows of a rolling window's cut day when that day is
-- settled (src/stats/activity.ts: created / resolved / first-responded moments and buckets), so
-- anything that changes what such a day counts must move the epoch too. Every such change of a
-- ticket (reopened, deleted, erased) changes its stat facts, so it appends a delta of the total
-- for that day (ticket_stats_apply): those deltas move the epoch. Deltas of the other dimensions
-- (a reassignment, a new category) do not: the cache keeps only totals rows and cut-day moments,
-- and those deltas are read live.
CREATE TRIGGER ticket_daily_stat_deltas_epoch AFTER INSERT ON "ticket_daily_stat_deltas"
  FOR EACH ROW WHEN (NEW.dim = 'total' AND NEW.day < (now() AT TIME ZONE 'UTC')::date)
  EXECUTE FUNCTION ticket_stats_epoch_bump();
CREATE TRIGGER ticket_daily_duration_deltas_epoch AFTER INSERT ON "ticket_daily_duration_deltas"
  FOR EACH ROW WHEN (NEW.day < (now() AT TIME ZONE 'UTC')::date)
  EXECUTE FUNCTION ticket_stats_epoch_bump();
ALTER TABLE "ticket_daily_stat_deltas" ENABLE ALWAYS TRIGGER ticket_daily_stat_deltas_epoch;
ALTER TABLE "ticket_daily_duration_deltas" ENABLE ALWAYS TRIGGER ticket_daily_duration_deltas_epoch;

-- The stats' settled days (src/stats/settled-days.ts): the overview keeps, per server process, the
-- sums of ticket_daily_stats / ticket_daily_durations over days before yesterday, because
-- those rows only change when the deltas are folded in (compactTicketStats, once a minute), a
-- backdated ticket is inserted, or the stats are rebuilt. Each of those writes sets the epoch
-- below to its transaction id, in the same transaction; a read that sees an epoch other than the
-- one its cached sums were taken at reads the days again. Writes to today's rows (every submit)
-- do not touch it: the triggers' WHEN clause is false for them, which costs no function call.
CREATE TABLE "ticket_stats_epoch" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "epoch" BIGINT NOT NULL,

    CONSTRAINT "ticket_stats_epoch_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ticket_stats_epoch_one_row" CHECK ("id")
);
INSERT INTO "ticket_stats_epoch" ("id", "epoch") VALUES (true, 0);

-- Once per transaction (a fold touches hundreds of rows): the first row sets the epoch, the rest
-- find the transaction-local marker and return.
CREATE FUNCTION ticket_stats_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('contactdesk.stats_epoch_tx', true) IS DISTINCT FROM txid_current()::text THEN
    UPDATE ticket_stats_epoch SET epoch = txid_current();
    PERFORM set_config('contactdesk.stats_epoch_tx', txid_current()::text, true);
  END IF;
  RETURN NULL;
END $$;

-- "Before today" by the writing transaction's start (now()): the cache keeps only days before
-- yesterday by the reading one's, so a transaction that started before midnight and commits
-- after it cannot change a cached day unseen (it would have to run for more than a day).
CREATE TRIGGER ticket_daily_stats_epoch_write AFTER INSERT OR UPDATE ON "ticket_daily_stats"
  FOR EACH ROW WHEN (NEW.day < (now() AT TIME ZONE 'UTC')::date) EXECUTE FUNCTION ticket_stats_epoch_bump();
CREATE TRIGGER ticket_daily_stats_epoch_delete AFTER DELETE ON "ticket_daily_stats"
  FOR EACH ROW WHEN (OLD.day < (now() AT TIME ZONE 'UTC')::date) EXECUTE FUNCTION ticket_stats_epoch_bump();
CREATE TRIGGER ticket_daily_stats_epoch_truncate AFTER TRUNCATE ON "ticket_daily_stats"
  FOR EACH STATEMENT EXECUTE FUNCTION ticket_stats_epoch_bump();
CREATE TRIGGER ticket_daily_durations_epoch_write AFTER INSERT OR UPDATE ON "ticket_daily_durations"
  FOR EACH ROW WHEN (NEW.day < (now() AT TIME ZONE 'UTC')::date) EXECUTE FUNCTION ticket_stats_epoch_bump();
CREATE TRIGGER ticket_daily_durations_epoch_delete AFTER DELETE ON "ticket_daily_durations"
  FOR EACH ROW WHEN (OLD.day < (now() AT TIME ZONE 'UTC')::date) EXECUTE FUNCTION ticket_stats_epoch_bump();
CREATE TRIGGER ticket_daily_durations_epoch_truncate AFTER TRUNCATE ON "ticket_daily_durations"
  FOR EACH STATEMENT EXECUTE FUNCTION ticket_stats_epoch_bump();

-- Also with triggers switched off for a bulk load (session_replication_role = replica, as
-- bench/seed.ts and ticket_stats_rebuild's callers do): a cached sum must never outlive its rows.
ALTER TABLE "ticket_daily_stats" ENABLE ALWAYS TRIGGER ticket_daily_stats_epoch_write;
ALTER TABLE "ticket_daily_stats" ENABLE ALWAYS TRIGGER ticket_daily_stats_epoch_delete;
ALTER TABLE "ticket_daily_stats" ENABLE ALWAYS TRIGGER ticket_daily_stats_epoch_truncate;
ALTER TABLE "ticket_daily_durations" ENABLE ALWAYS TRIGGER ticket_daily_durations_epoch_write;
ALTER TABLE "ticket_daily_durations" ENABLE ALWAYS TRIGGER ticket_daily_durations_epoch_delete;
ALTER TABLE "ticket_daily_durations" ENABLE ALWAYS TRIGGER ticket_daily_durations_epoch_truncate;

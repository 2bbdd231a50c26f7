-- The panel's session table (admin/auth.ts, connect-pg-simple), created here instead of by the
-- store at run time (`createTableIfMissing`: DDL from the web process, racing between instances,
-- and a table the migration history did not know about). connect-pg-simple's own table.sql with
-- its table name: the constraint and index keep its names, and IF NOT EXISTS makes this a no-op
-- on installs where the store already created the table.
CREATE TABLE IF NOT EXISTS "admin_sessions" (
  "sid" VARCHAR NOT NULL,
  "sess" JSON NOT NULL,
  "expire" TIMESTAMP(6) NOT NULL,
  CONSTRAINT "session_pkey" PRIMARY KEY ("sid")
);

CREATE INDEX IF NOT EXISTS "IDX_session_expire" ON "admin_sessions"("expire");

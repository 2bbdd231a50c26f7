-- Presence on a ticket (issue 11, collision guard): which staff have the ticket open in the panel
-- and whether they are typing. Kept in PostgreSQL, not in a server's memory, so that two panel
-- instances behind a load balancer see each other's moderators. Each open workspace upserts its
-- row every ~5 s; readers ignore rows older than ~20 s (src/conversation/presence.service.ts).
--
-- UNLOGGED: rows are rewritten every few seconds and worthless after 20 s, so they skip the WAL;
-- after a crash PostgreSQL empties the table, which loses nothing (the next heartbeat refills it).
CREATE TYPE "PresenceState" AS ENUM ('viewing', 'typing');

CREATE UNLOGGED TABLE "ticket_presence" (
    "ticket_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "state" "PresenceState" NOT NULL DEFAULT 'viewing',
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "ticket_presence_pkey" PRIMARY KEY ("ticket_id", "user_id")
);
ALTER TABLE "ticket_presence" ADD CONSTRAINT "ticket_presence_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_presence" ADD CONSTRAINT "ticket_presence_user_id_fkey"
  FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- Pruning of rows left behind by closed tabs (WHERE seen_at < …).
CREATE INDEX "ticket_presence_seen_at_idx" ON "ticket_presence"("seen_at");

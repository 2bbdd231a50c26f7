-- Satisfaction (issue 13): "Did this solve your problem?" in the resolution mail and on the
-- ticket page. One rating per resolution: (ticket, the resolved_at it rates) is unique, so a
-- ticket reopened and resolved again can be rated again. moderator_id is who the rating counts
-- for in the per-moderator CSAT (the resolver, else the assignee, when the rating was given).
CREATE TYPE "RatingScore" AS ENUM ('good', 'bad');

CREATE TABLE "ticket_ratings" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ticket_id" UUID NOT NULL,
    "resolved_at" TIMESTAMPTZ(3) NOT NULL,
    "score" "RatingScore" NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "moderator_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    -- When the bad-rating alert was queued: at most one alert per rating, however often it flips.
    "alerted_at" TIMESTAMPTZ(3),

    CONSTRAINT "ticket_ratings_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ticket_ratings_ticket_id_resolved_at_key" ON "ticket_ratings"("ticket_id", "resolved_at");
-- CSAT over the last 7 / 30 days (stats/overview, dashboard): a range scan.
CREATE INDEX "ticket_ratings_created_at_idx" ON "ticket_ratings"("created_at");
ALTER TABLE "ticket_ratings" ADD CONSTRAINT "ticket_ratings_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_ratings" ADD CONSTRAINT "ticket_ratings_moderator_id_fkey"
  FOREIGN KEY ("moderator_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Ticket mails stay one per (ticket, kind, recipient), except the two kinds that may rightly go
-- out again for the same ticket: "find my tickets" (asked for again) and the bad-rating alert (a
-- later resolution rated bad). Their job key is the delivery id (src/mail/mail.queue.ts).
DROP INDEX "email_deliveries_ticket_id_kind_recipient_key";
CREATE UNIQUE INDEX "email_deliveries_ticket_id_kind_recipient_key" ON "email_deliveries"("ticket_id", "kind", "recipient")
  WHERE "ticket_message_id" IS NULL AND "kind" NOT IN ('ticket_links', 'rating_bad_alert');

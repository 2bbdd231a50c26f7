-- Conversations (issue 11): a ticket's thread of replies, internal notes and customer messages;
-- where a ticket came from (channel) and the ticket it follows up (parent); reply emails.
-- The ticket's original message stays on contact_submissions and is the thread's first entry.

CREATE TYPE "TicketChannel" AS ENUM ('web', 'email');
ALTER TABLE "contact_submissions"
  ADD COLUMN "channel" "TicketChannel" NOT NULL DEFAULT 'web',
  ADD COLUMN "parent_ticket_id" UUID;
ALTER TABLE "contact_submissions" ADD CONSTRAINT "contact_submissions_parent_ticket_id_fkey"
  FOREIGN KEY ("parent_ticket_id") REFERENCES "contact_submissions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
-- The audit snapshot follows the ticket's columns by name.
ALTER TABLE "contact_submission_events" ADD COLUMN "channel" "TicketChannel", ADD COLUMN "parent_ticket_id" UUID;

CREATE TYPE "MessageKind" AS ENUM ('reply', 'note', 'customer');

CREATE TABLE "ticket_messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ticket_id" UUID NOT NULL,
    "kind" "MessageKind" NOT NULL,
    -- Staff author (replies, notes); NULL for the customer.
    "author_id" UUID,
    "author_name" VARCHAR(255) NOT NULL,
    "author_email" VARCHAR(254) NOT NULL,
    "body_text" TEXT NOT NULL,
    -- Sanitised HTML when the message came as HTML (customer mail).
    "body_html" TEXT,
    -- The RFC 5322 Message-ID: the customer's for their mail, ours for a reply (set when sent).
    "message_id" VARCHAR(998),
    "inbound_mail_id" UUID,
    "channel" VARCHAR(20) NOT NULL,
    -- Who / through what, as the audit trail records it (set by the write transaction).
    "source" VARCHAR(20) NOT NULL DEFAULT audit_source(),
    "request_id" VARCHAR(100) DEFAULT audit_request_id(),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "ticket_messages_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "ticket_messages" ADD CONSTRAINT "ticket_messages_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ticket_messages" ADD CONSTRAINT "ticket_messages_author_id_fkey"
  FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "ticket_messages_ticket_id_created_at_idx" ON "ticket_messages"("ticket_id", "created_at", "id");
-- The same mail arriving twice (two channels, a re-fetch) is one message.
CREATE UNIQUE INDEX "ticket_messages_message_id_key" ON "ticket_messages"("message_id") WHERE "message_id" IS NOT NULL;

-- Messages are the record of what was said: they are never edited. (They go with their ticket.)
CREATE FUNCTION ticket_messages_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.ticket_id IS DISTINCT FROM OLD.ticket_id OR NEW.body_text IS DISTINCT FROM OLD.body_text
     OR NEW.body_html IS DISTINCT FROM OLD.body_html OR NEW.kind IS DISTINCT FROM OLD.kind
     OR NEW.author_id IS DISTINCT FROM OLD.author_id AND NEW.author_id IS NOT NULL THEN
    RAISE EXCEPTION 'ticket messages are not edited' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ticket_messages_no_update BEFORE UPDATE ON "ticket_messages"
  FOR EACH ROW EXECUTE FUNCTION ticket_messages_no_update();

-- Reply emails: one delivery per (message, recipient); the other kinds stay one per (ticket, kind, recipient).
ALTER TYPE "EmailKind" ADD VALUE IF NOT EXISTS 'ticket_reply';
ALTER TABLE "email_deliveries" ADD COLUMN "ticket_message_id" UUID;
ALTER TABLE "email_deliveries" ADD CONSTRAINT "email_deliveries_ticket_message_id_fkey"
  FOREIGN KEY ("ticket_message_id") REFERENCES "ticket_messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;
DROP INDEX "email_deliveries_ticket_id_kind_recipient_key";
CREATE UNIQUE INDEX "email_deliveries_ticket_id_kind_recipient_key" ON "email_deliveries"("ticket_id", "kind", "recipient")
  WHERE "ticket_message_id" IS NULL;
CREATE UNIQUE INDEX "email_deliveries_ticket_message_id_recipient_key" ON "email_deliveries"("ticket_message_id", "recipient")
  WHERE "ticket_message_id" IS NOT NULL;
CREATE INDEX "email_deliveries_message_id_idx" ON "email_deliveries"("message_id");

-- Inbound mail, stored raw BEFORE it is parsed or matched (nothing lost when parsing fails; a
-- failed one is shown to admins and can be retried). One row per mail received, over any channel.
CREATE TYPE "InboundStatus" AS ENUM ('received', 'processed', 'failed', 'ignored');
CREATE TABLE "inbound_mails" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    -- smtp | imap | http
    "channel" VARCHAR(10) NOT NULL,
    "raw" BYTEA NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "message_id" VARCHAR(998),
    "envelope_from" VARCHAR(254),
    "envelope_to" TEXT[] NOT NULL DEFAULT '{}',
    "status" "InboundStatus" NOT NULL DEFAULT 'received',
    -- What processing made of it: new_ticket, appended, duplicate, auto_reply, bounce, loop, …
    "outcome" VARCHAR(40),
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "ticket_id" UUID,
    "ticket_message_id" UUID,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "inbound_mails_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "inbound_mails" ADD CONSTRAINT "inbound_mails_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "inbound_mails" ADD CONSTRAINT "inbound_mails_ticket_message_id_fkey"
  FOREIGN KEY ("ticket_message_id") REFERENCES "ticket_messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "inbound_mails_message_id_idx" ON "inbound_mails"("message_id");
CREATE INDEX "inbound_mails_status_received_at_idx" ON "inbound_mails"("status", "received_at");
CREATE INDEX "inbound_mails_ticket_id_idx" ON "inbound_mails"("ticket_id");
ALTER TABLE "ticket_messages" ADD CONSTRAINT "ticket_messages_inbound_mail_id_fkey"
  FOREIGN KEY ("inbound_mail_id") REFERENCES "inbound_mails"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Files of a message that were NOT stored (issue 12): an inbound mail over the attachment limits
-- still becomes its message, and each file it could not keep is listed on that message by name,
-- size and reason (too big, a program, one too many) instead of vanishing. The raw mail in
-- inbound_mails keeps the bytes. Gone with the ticket / message (ON DELETE CASCADE).
CREATE TABLE "attachment_refusals" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ticket_id" UUID NOT NULL,
    -- NULL: the ticket's original message (a mail that opened the ticket).
    "ticket_message_id" UUID,
    "file_name" VARCHAR(255) NOT NULL,
    "declared_type" VARCHAR(255) NOT NULL,
    "size" BIGINT NOT NULL,
    -- too_large | total_too_large | too_many | executable
    "reason" VARCHAR(30) NOT NULL,
    -- The sentence shown to staff ("larger than 10 MB (ATTACHMENT_MAX_BYTES)").
    "detail" VARCHAR(500) NOT NULL,
    "source" VARCHAR(20) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "attachment_refusals_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "attachment_refusals" ADD CONSTRAINT "attachment_refusals_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "attachment_refusals" ADD CONSTRAINT "attachment_refusals_ticket_message_id_fkey"
  FOREIGN KEY ("ticket_message_id") REFERENCES "ticket_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "attachment_refusals_ticket_id_created_at_idx" ON "attachment_refusals"("ticket_id", "created_at", "id");
CREATE INDEX "attachment_refusals_ticket_message_id_idx" ON "attachment_refusals"("ticket_message_id");

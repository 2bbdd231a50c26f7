-- Idempotency-Key of the public submit (issue 13, src/contact/idempotency.ts): a retried or
-- double-clicked submit answers with the ticket the first one created. Written by the ticket's
-- own INSERT (same transaction); request_hash refuses the same key with another body.
CREATE TABLE "idempotency_keys" (
    "key" VARCHAR(100) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "ticket_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

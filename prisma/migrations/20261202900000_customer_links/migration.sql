-- The customer's ticket page (issue 13, docs/portal.md): every customer mail links to
-- PUBLIC_URL/t/<token>. The token itself is never stored: only its sha256 (like api_tokens), so a
-- copy of this table opens no ticket. A link expires (CUSTOMER_LINK_DAYS) and can be revoked; a
-- deleted ticket takes its links with it (ON DELETE CASCADE), so they answer 404 like any unknown one.
CREATE TABLE "customer_links" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ticket_id" UUID NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "customer_links_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "customer_links_token_hash_key" ON "customer_links"("token_hash");
CREATE INDEX "customer_links_ticket_id_idx" ON "customer_links"("ticket_id");
ALTER TABLE "customer_links" ADD CONSTRAINT "customer_links_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Two new mail kinds: the "find my tickets" answer, and the alert a bad rating sends to the
-- assignee. (New enum values can only be used once this transaction has committed: the index
-- change that mentions them is in the next migration, 20261202900100_ticket_ratings.)
ALTER TYPE "EmailKind" ADD VALUE IF NOT EXISTS 'ticket_links';
ALTER TYPE "EmailKind" ADD VALUE IF NOT EXISTS 'rating_bad_alert';

-- "Find my tickets" looks tickets up by address, case-insensitively, in a job.
CREATE INDEX "contact_submissions_lower_email_idx" ON "contact_submissions"(lower("email"));

-- Webhooks out (issue 15 §1, docs/webhooks.md). Endpoints an admin registers, and one delivery row
-- per (event, endpoint): the delivery is the unit that is signed, retried and logged, its payload
-- is kept here and nowhere else (graphile job payloads carry only the endpoint id), so erasure
-- finds every copy of a ticket's data sent out by webhook in webhook_deliveries (ticket_id, payload).
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('pending', 'sending', 'delivered', 'failed');

CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "url" TEXT NOT NULL,
    "description" VARCHAR(255) NOT NULL DEFAULT '',
    "events" TEXT[] NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    -- Internal notes (thread notes, the ticket's admin notes) go only to endpoints that opt in.
    "include_internal_notes" BOOLEAN NOT NULL DEFAULT false,
    -- whsec_<base64>: needed in clear to sign; never returned after creation / rotation.
    "secret" TEXT NOT NULL,
    -- After a rotation the old secret signs too (a second signature) until it expires.
    "previous_secret" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    -- First failed attempt since the last success; a day of failures disables the endpoint.
    "failing_since" TIMESTAMPTZ(3),
    "disabled_at" TIMESTAMPTZ(3),
    "disabled_reason" TEXT,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_created_by_id_fkey"
  FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    -- The event: one id for all endpoints it goes to; the webhook-id header is msg_<event_id>,
    -- the same on every attempt and on a resend.
    "event_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "event_type" VARCHAR(40) NOT NULL,
    -- The ticket the payload is about (no foreign key: the log outlives a deleted ticket, and
    -- erasure looks rows up by it).
    "ticket_id" UUID,
    -- The body as sent: {"type", "timestamp", "data"}.
    "payload" JSONB NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    -- While 'sending': a worker holds it until then; a crashed worker's claim expires.
    "locked_until" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "response_status" INTEGER,
    -- The first 1 KB of the receiver's last answer.
    "response_body" TEXT,
    "duration_ms" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey"
  FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- What the dispatcher claims: an endpoint's due deliveries (small: only unfinished ones).
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries"("endpoint_id", "next_attempt_at")
  WHERE "status" IN ('pending', 'sending');
-- The delivery log, newest first per endpoint.
CREATE INDEX "webhook_deliveries_endpoint_id_created_at_idx" ON "webhook_deliveries"("endpoint_id", "created_at" DESC);
CREATE INDEX "webhook_deliveries_ticket_id_idx" ON "webhook_deliveries"("ticket_id");

-- The mail to an endpoint's admin when it is disabled after a day of failures.
ALTER TYPE "EmailKind" ADD VALUE 'webhook_disabled';
ALTER TABLE "email_deliveries" ADD COLUMN "webhook_endpoint_id" UUID;
ALTER TABLE "email_deliveries" ADD CONSTRAINT "email_deliveries_webhook_endpoint_id_fkey"
  FOREIGN KEY ("webhook_endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE SET NULL ON UPDATE CASCADE;

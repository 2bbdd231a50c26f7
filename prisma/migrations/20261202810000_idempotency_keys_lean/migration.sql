-- idempotency_keys, leaner (bench/widget.ts: the widget's submit must keep ≥ 0.9× the plain one).
-- Every widget ticket writes one key row in its INSERT; the foreign key's check (a row lock on the
-- new ticket) and the created_at index were most of that cost. Without them: a key whose ticket
-- was deleted is removed when it is next used (findReplay, src/contact/idempotency.ts), and
-- expiry is checked per key when it is reused, so nothing needs the index.
ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_ticket_id_fkey";
DROP INDEX "idempotency_keys_created_at_idx";

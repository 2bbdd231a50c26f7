-- Erasure of a person who also has a customer account (role `user`, docs/privacy.md): the account is
-- anonymised by src/privacy/erasure.ts and its audit rows (user_events) lose the address and name
-- through this second form of audit_redact() — the same guard admits it (its name is on the stack
-- and it sets the same flag), and it records itself in audit_redactions.
ALTER TABLE "audit_redactions" ADD COLUMN "user_events" INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION audit_redact(p_erasure_id uuid, p_user_ids uuid[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  PERFORM set_config('contactdesk.redacting', 'audit_redact', true);
  UPDATE user_events SET email = replace(privacy_tombstone_email(), '@', '+' || left(user_id::text, 8) || '@'),
      name = privacy_tombstone()
    WHERE user_id = ANY (p_user_ids) AND name <> privacy_tombstone();
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('contactdesk.redacting', '', true);
  IF n > 0 THEN
    INSERT INTO audit_redactions (actor_id, source, request_id, erasure_request_id, ticket_events, attachment_events, user_events)
    VALUES (audit_actor_id(), audit_source(), audit_request_id(), p_erasure_id, 0, 0, n);
  END IF;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION audit_redact(uuid, uuid[]) FROM PUBLIC;

-- stats/overview's open_by_tag without reading every tagged ticket (issue 14 §2, §6): each
-- ticket_tags row knows whether its ticket is open (pending / in progress), kept true by
-- triggers, and a partial index holds just the open rows. Counting open tickets per tag is then
-- an index scan over open tagged tickets, never a join with contact_submissions.

-- A row UPDATE that leaves (ticket, tag) as it was (the open flag below) is no tag change: the
-- audit records only pairs that appear or disappear.
CREATE OR REPLACE FUNCTION ticket_tags_audit_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_tag_events (operation, actor_id, source, request_id, ticket_id, tag_id, tag_name)
    SELECT 'delete', audit_actor_id(), audit_source(), audit_request_id(), g.ticket_id, g.tag_id,
      coalesce(t.name, '(deleted tag)')
    FROM (SELECT ticket_id, tag_id FROM gone EXCEPT SELECT ticket_id, tag_id FROM added) g
    LEFT JOIN tags t ON t.id = g.tag_id ORDER BY g.ticket_id, t.name;
  INSERT INTO ticket_tag_events (operation, actor_id, source, request_id, ticket_id, tag_id, tag_name)
    SELECT 'insert', audit_actor_id(), audit_source(), audit_request_id(), n.ticket_id, n.tag_id, t.name
    FROM (SELECT ticket_id, tag_id FROM added EXCEPT SELECT ticket_id, tag_id FROM gone) n
    JOIN tags t ON t.id = n.tag_id ORDER BY n.ticket_id, t.name;
  RETURN NULL;
END $$;

ALTER TABLE "ticket_tags" ADD COLUMN "open" BOOLEAN NOT NULL DEFAULT false;
UPDATE "ticket_tags" tt SET "open" = true FROM "contact_submissions" c
  WHERE c.id = tt.ticket_id AND c.status IN ('pending', 'in_progress');
CREATE INDEX "ticket_tags_open_tag_id_idx" ON "ticket_tags" ("tag_id") WHERE "open";

-- A new row takes its ticket's state (whoever inserts it, in whatever statement).
CREATE FUNCTION ticket_tags_set_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.open := EXISTS (SELECT 1 FROM contact_submissions c
                      WHERE c.id = NEW.ticket_id AND c.status IN ('pending', 'in_progress'));
  RETURN NEW;
END $$;
CREATE TRIGGER ticket_tags_set_open BEFORE INSERT ON "ticket_tags"
  FOR EACH ROW EXECUTE FUNCTION ticket_tags_set_open();

-- A ticket that opens or closes carries its tag rows along (only then: the WHEN clause).
CREATE FUNCTION contact_submissions_tags_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ticket_tags SET open = NEW.status IN ('pending', 'in_progress') WHERE ticket_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER contact_submissions_tags_open AFTER UPDATE OF status ON "contact_submissions"
  FOR EACH ROW
  WHEN ((OLD.status IN ('pending', 'in_progress')) IS DISTINCT FROM (NEW.status IN ('pending', 'in_progress')))
  EXECUTE FUNCTION contact_submissions_tags_open();

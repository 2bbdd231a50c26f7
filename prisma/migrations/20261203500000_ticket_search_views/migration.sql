-- The moderator list (issue 14 §1): full-text search over a ticket and its whole thread, the
-- sort orders of every list column, saved views, and each user's list preferences.

-- --- Full-text search -------------------------------------------------------------------------
-- One document per ticket: its number, requester, subject, message and every thread message
-- (replies, notes, the customer's email replies). A separate table rather than a column on
-- contact_submissions so that a new message does not rewrite the ticket row (that would bump no
-- audit event, but would fire the audit and count triggers and bloat the hot table).

-- The stemming configuration of a ticket's language; languages without one index words as-is.
CREATE FUNCTION ticket_search_config(lang "TicketLanguage") RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE lang WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' WHEN 'fr' THEN 'french'
                    WHEN 'es' THEN 'spanish' ELSE 'simple' END)::regconfig
$$;

-- The query side: the words stemmed in every configuration a document may use, OR-ed, so that
-- "Rechnung" finds a German ticket's "Rechnungen" and "refunds" an English ticket's "refunded"
-- without the moderator saying which language they typed in.
CREATE FUNCTION ticket_search_query(q text) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT websearch_to_tsquery('english', q) || websearch_to_tsquery('german', q)
      || websearch_to_tsquery('french', q) || websearch_to_tsquery('spanish', q)
      || websearch_to_tsquery('simple', q)
$$;

CREATE TABLE "ticket_search_documents" (
    "ticket_id" UUID NOT NULL,
    "document" tsvector NOT NULL,
    CONSTRAINT "ticket_search_documents_pkey" PRIMARY KEY ("ticket_id")
);
ALTER TABLE "ticket_search_documents" ADD CONSTRAINT "ticket_search_documents_ticket_id_fkey"
  FOREIGN KEY ("ticket_id") REFERENCES "contact_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "ticket_search_documents_document_idx" ON "ticket_search_documents" USING gin ("document");

-- A tsvector holds at most 1 MB: the thread part is cut well below it (a 25 MB mail thread must
-- not make a customer's reply fail to insert; its first 400k characters stay searchable).
CREATE FUNCTION ticket_search_document(t contact_submissions) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector(ticket_search_config(t.language),
                     t.ticket_number || ' ' || t.name || ' ' || t.email || ' ' || t.subject), 'A')
      || setweight(to_tsvector(ticket_search_config(t.language), left(t.message, 100000)), 'B')
      || setweight(to_tsvector(ticket_search_config(t.language), left(coalesce(
           (SELECT string_agg(m.body_text, ' ' ORDER BY m.created_at, m.id) FROM ticket_messages m
            WHERE m.ticket_id = t.id), ''), 400000)), 'C')
$$;

-- Maintained in the writing transaction: a ticket is searchable the moment its insert commits.
CREATE FUNCTION ticket_search_refresh_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_search_documents (ticket_id, document) VALUES (NEW.id, ticket_search_document(NEW))
  ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_search_insert AFTER INSERT ON "contact_submissions"
  FOR EACH ROW EXECUTE FUNCTION ticket_search_refresh_ticket();
-- Only the columns the document reads: a status change or assignment costs nothing here.
CREATE TRIGGER ticket_search_update AFTER UPDATE OF ticket_number, name, email, subject, message, language
  ON "contact_submissions" FOR EACH ROW EXECUTE FUNCTION ticket_search_refresh_ticket();

-- Messages are never edited (ticket_messages_no_update) and only leave with their ticket, so a
-- new message only ever adds words: the whole document is rebuilt anyway, which keeps the 400k
-- cut exact and costs one indexed read of the thread.
CREATE FUNCTION ticket_search_refresh_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ticket_search_documents d SET document = ticket_search_document(t)
  FROM contact_submissions t WHERE t.id = NEW.ticket_id AND d.ticket_id = t.id;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_search_message AFTER INSERT ON "ticket_messages"
  FOR EACH ROW EXECUTE FUNCTION ticket_search_refresh_message();

INSERT INTO ticket_search_documents (ticket_id, document)
SELECT t.id, ticket_search_document(t) FROM contact_submissions t;

-- An email finds its tickets exactly (q = the address), case-insensitively.
CREATE INDEX "contact_submissions_email_lower_idx" ON "contact_submissions"(lower("email"));

-- --- Sorting by every list column -------------------------------------------------------------
-- Each with the id tie-breaker of orderByClause and the working queue's predicate, so a page of
-- the queue sorted by subject or requester is an index walk, not a sort of the table.
CREATE INDEX "contact_submissions_open_subject_idx" ON "contact_submissions"("subject", "id")
  WHERE "status" <> 'archived';
CREATE INDEX "contact_submissions_open_name_idx" ON "contact_submissions"("name", "id")
  WHERE "status" <> 'archived';

-- --- Saved views ------------------------------------------------------------------------------
-- A named set of list filters (the REST list's own query parameters), private or shared.
CREATE TABLE "saved_views" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "owner_id" UUID NOT NULL,
    "name" VARCHAR(80) NOT NULL,
    "query" JSONB NOT NULL,
    "shared" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "saved_views_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_owner_id_fkey"
  FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE UNIQUE INDEX "saved_views_owner_id_name_key" ON "saved_views"("owner_id", lower("name"));
CREATE INDEX "saved_views_shared_idx" ON "saved_views"("created_at") WHERE "shared";

-- --- List preferences -------------------------------------------------------------------------
-- NULL = not chosen: the browser's time zone, the default page size.
ALTER TABLE "users"
  ADD COLUMN "time_zone" VARCHAR(64),
  ADD COLUMN "list_page_size" SMALLINT,
  ADD CONSTRAINT "users_list_page_size_check" CHECK ("list_page_size" IN (20, 50, 100));

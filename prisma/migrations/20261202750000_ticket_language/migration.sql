-- The visitor's language (issue 13): chosen by the widget's / page's lang and sent with the submit,
-- used for the customer's emails. Declared in src/contact/ticket.fields.ts; the audit trigger
-- copies columns by name, so contact_submission_events gets the column too.
CREATE TYPE "TicketLanguage" AS ENUM ('en', 'de', 'fr', 'es', 'ar', 'he');

ALTER TABLE "contact_submissions" ADD COLUMN "language" "TicketLanguage" NOT NULL DEFAULT 'en';
ALTER TABLE "contact_submission_events" ADD COLUMN "language" "TicketLanguage";

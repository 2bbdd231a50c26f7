-- contact_submissions had two identical indexes on lower(email): one for "find my tickets"
-- (20261202900000_customer_links) and one for the exact email search (20261203500000). Every
-- submit, erasure and import paid for both; one serves both reads (same expression).
DROP INDEX IF EXISTS "contact_submissions_email_lower_idx";

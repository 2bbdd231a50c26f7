-- api_tokens.last_used_at was never written or read: nothing lists tokens, so nobody would see
-- when one was last used. Dropped rather than left as a column that looks meaningful but is
-- always NULL (and would cost a write per request if it were kept up to date).
ALTER TABLE "api_tokens" DROP COLUMN "last_used_at";

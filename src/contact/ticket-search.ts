// The list's search (`q`): what a moderator types, turned into one SQL condition.
//
// - a ticket number (CONT-20261203-0042) finds that ticket only;
// - an email address finds the tickets of that requester only (case-insensitive, not joanna@ for
//   anna@);
// - anything else is full-text search over the ticket and its whole thread (replies, notes, the
//   customer's email replies), stemmed in the ticket's language (ticket_search_document /
//   ticket_search_query in migration 20261203500000, GIN-indexed), plus a substring match on
//   number, name, email and subject (trigram-indexed), so a half-typed name or a fragment of a
//   number still finds its ticket.
// Both halves are one `id IN (… UNION …)` so PostgreSQL answers each from its own index.

const TICKET_NUMBER = /^CONT-\d{8}-\d{4,}$/i;
/** A whole address (a dot in the domain): a half-typed one ("zed@exam") is a substring search. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

/**
 * The search expression, character for character as in the trigram index
 * contact_submissions_search_trgm_idx: PostgreSQL only uses an expression index when the
 * query's expression is the same one.
 */
export const SEARCH_EXPRESSION = `("ticket_number" || ' ' || "name" || ' ' || "email" || ' ' || "subject")`;

/** Escapes LIKE wildcards so `q` is always a literal substring (default escape char: backslash). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type SearchKind = 'ticket_number' | 'email' | 'text';

export function searchKind(q: string): SearchKind {
  if (TICKET_NUMBER.test(q)) return 'ticket_number';
  if (EMAIL.test(q)) return 'email';
  return 'text';
}

/**
 * The condition for `q` on the tickets table (columns through `col`); values are bound through
 * `param`, which returns the placeholder.
 */
export function searchCondition(q: string, col: (column: string) => string, param: (v: unknown) => string): string {
  const kind = searchKind(q);
  if (kind === 'ticket_number') return `${col('ticket_number')} = ${param(q.toUpperCase())}`;
  if (kind === 'email') return `lower(${col('email')}) = lower(${param(q)})`;
  const fullText = `SELECT ticket_id FROM ticket_search_documents WHERE document @@ ticket_search_query(${param(q)})`;
  const substring = `SELECT id FROM contact_submissions WHERE ${SEARCH_EXPRESSION} ILIKE '%' || ${param(escapeLike(q))} || '%'`;
  return `${col('id')} IN (${fullText} UNION ${substring})`;
}

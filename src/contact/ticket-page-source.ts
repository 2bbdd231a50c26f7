// Where a list page is cut from (contact.queries.ts pageQuery): the table itself, or — for an
// ordering no single index walk gives — a union of short index walks that holds the page's rows
// in the same order. Kept apart from the filters (ticket.filters.ts), which it reads.
import { excludesArchived, TICKET_ORDERINGS, type TicketFilters, type TicketOrdering } from './ticket.filters.js';
import { fields } from './ticket.shape.js';

/**
 * The rows a page in `ordering` is cut from: `contact_submissions <where>`, or for an enum column
 * one branch per value. "Value, then newest first" cannot be walked on one index both ways (a
 * btree scans backwards only with every column flipped), so sorting by status, category or
 * priority sorted every matching ticket: 0.2–0.4 s over 67k open tickets (bench data, 1M). Each
 * branch takes the newest `take` rows of its value from that value's index range instead, and the
 * page is cut from their union (same rows, same order). Pushes its parameters onto `params`.
 */
export function pageSource(
  filters: TicketFilters & { ordering?: TicketOrdering },
  whereSql: string,
  params: unknown[],
  take: number,
): string {
  const o = filters.ordering && TICKET_ORDERINGS.includes(filters.ordering) ? filters.ordering : '-created_at';
  const field = fields.find((x) => x.name === o.replace(/^-/, ''))!;
  if (field.type === 'user') return personPageSource(field.name, whereSql, params, take);
  if (field.type !== 'enum') return `contact_submissions ${whereSql}`;
  // Only the values the filters let through: a branch whose value they exclude would read
  // every matching ticket to find none (PostgreSQL does not prove `status = x AND status <> x` empty).
  const chosen = (filters as Record<string, unknown>)[field.name];
  const values = (Array.isArray(chosen) ? field.values.filter((v) => chosen.includes(v)) : field.values).filter(
    (v) => !(field.name === 'status' && v === 'archived' && excludesArchived(filters)),
  );
  if (!values.length) return `contact_submissions ${whereSql}`;
  const cond = whereSql.replace(/^WHERE /, '');
  const p = (v: unknown) => `$${params.push(v)}`;
  const limit = p(take);
  const branches = values.map(
    (v) =>
      `(SELECT * FROM contact_submissions WHERE ${cond ? `(${cond}) AND ` : ''}${field.name} = ${p(v)}::"${field.pgType}"
        ORDER BY created_at DESC, id DESC LIMIT ${limit})`,
  );
  return `(${branches.join(' UNION ALL ')}) b`;
}

/**
 * pageSource for a person column (the assignee): the same union, one branch per person who has
 * tickets plus one for nobody. The people come from a skip scan of the column's index (one probe
 * per distinct value: a handful of staff, however many tickets), each branch walks that person's
 * range of contact_submissions_assignee_created_at_idx newest first. The person is matched by a
 * one-value range, not `=`: with `=` the planner drops the column from the branch's ORDER BY and
 * prefers walking all open tickets by age, filtering for the person — 26k rows per person at 1M
 * (older tickets are the assigned ones), 0.3 s a page instead of 5 ms. Aliased as the table, so
 * the ordering's name lookup (orderByClause) reads the same.
 */
function personPageSource(column: string, whereSql: string, params: unknown[], take: number): string {
  const cond = whereSql.replace(/^WHERE /, '');
  const and = cond ? `(${cond}) AND ` : '';
  const limit = `$${params.push(take)}`;
  return `(WITH RECURSIVE people AS (
      (SELECT ${column} AS id FROM contact_submissions WHERE ${column} IS NOT NULL ORDER BY ${column} LIMIT 1)
      UNION ALL
      SELECT (SELECT ${column} FROM contact_submissions WHERE ${column} > people.id ORDER BY ${column} LIMIT 1)
      FROM people WHERE people.id IS NOT NULL)
    SELECT t.* FROM people CROSS JOIN LATERAL (
      SELECT * FROM contact_submissions WHERE ${and}${column} >= people.id AND ${column} <= people.id
      ORDER BY ${column}, created_at DESC, id DESC LIMIT ${limit}) t
    UNION ALL
    (SELECT * FROM contact_submissions WHERE ${and}${column} IS NULL ORDER BY created_at DESC, id DESC LIMIT ${limit})
  ) contact_submissions`;
}

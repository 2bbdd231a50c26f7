// SQL of the tags feature. Every write runs on a client inside the caller's transaction (the
// audit context is set there; the ticket_tags triggers turn each added/removed row into an event).
// Set-based on purpose: a bulk "Tag…" on 100 tickets is one INSERT, not 100.
import type pg from 'pg';
import type { Db } from '../db/client.js';
import type { SnapshotQuery } from '../db/snapshot.js';
import { withPgTransaction } from '../db/tx.js';
import type { Tag, TagMode, TagWithUsage } from './schema.js';

type Queryable = Pick<pg.ClientBase, 'query'> | Pick<pg.Pool, 'query'>;

/** Creates the names that do not exist yet (case-insensitively) and returns all of them. */
export async function ensureTags(client: Queryable, names: string[], actorId: string | null): Promise<Tag[]> {
  if (!names.length) return [];
  await client.query(
    `INSERT INTO tags (name, created_by_id) SELECT n, $2::uuid FROM unnest($1::text[]) AS n
     ON CONFLICT ((lower(name))) DO NOTHING`,
    [names, actorId],
  );
  return findTagsByName(client, names);
}

export async function findTagsByName(client: Queryable, names: string[]): Promise<Tag[]> {
  const { rows } = await client.query<Tag>(
    `SELECT id, name FROM tags WHERE lower(name) = ANY($1::text[]) ORDER BY lower(name)`,
    [names.map((n) => n.toLowerCase())],
  );
  return rows;
}

export async function findTag(client: Queryable, id: string): Promise<Tag | null> {
  const { rows } = await client.query<Tag>('SELECT id, name FROM tags WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** The ticket's tags, by name. */
export async function ticketTags(client: Queryable, ticketId: string): Promise<Tag[]> {
  const { rows } = await client.query<Tag>(
    `SELECT g.id, g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
     WHERE tt.ticket_id = $1 ORDER BY lower(g.name)`,
    [ticketId],
  );
  return rows;
}

/** Locks the ticket against deletion while its tags change; false when there is no such ticket. */
export async function lockTicketForTags(client: Queryable, ticketId: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM contact_submissions WHERE id = $1 FOR KEY SHARE', [ticketId]);
  return rowCount === 1;
}

/**
 * Every (ticket, tag) pair that is not there yet, in one statement; tickets that do not exist are
 * left out. Returns the tickets that gained at least one tag and the ones found at all.
 */
export async function addTagsToTickets(
  client: Queryable,
  ticketIds: string[],
  tagIds: string[],
): Promise<{ found: Array<{ id: string; ticket_number: string }>; changed: Set<string> }> {
  const { rows } = await client.query<{ id: string; ticket_number: string; added: number }>(
    `WITH found AS (
       SELECT id, ticket_number FROM contact_submissions WHERE id = ANY($1::uuid[]) FOR KEY SHARE
     ), ins AS (
       INSERT INTO ticket_tags (ticket_id, tag_id)
       SELECT f.id, g FROM found f CROSS JOIN unnest($2::uuid[]) AS g ORDER BY f.id, g
       ON CONFLICT DO NOTHING RETURNING ticket_id
     )
     SELECT f.id, f.ticket_number, (SELECT count(*)::int FROM ins WHERE ins.ticket_id = f.id) AS added FROM found f`,
    [ticketIds, tagIds],
  );
  return {
    found: rows.map((r) => ({ id: r.id, ticket_number: r.ticket_number })),
    changed: new Set(rows.filter((r) => r.added > 0).map((r) => r.id)),
  };
}

/** Removes the given tags from a ticket (all tags but `keep` when `keep` is given instead). */
export async function removeTagsFromTicket(
  client: Queryable,
  ticketId: string,
  opts: { tagIds: string[] } | { keep: string[] },
): Promise<number> {
  const { rowCount } =
    'tagIds' in opts
      ? await client.query('DELETE FROM ticket_tags WHERE ticket_id = $1 AND tag_id = ANY($2::uuid[])', [
          ticketId,
          opts.tagIds,
        ])
      : await client.query('DELETE FROM ticket_tags WHERE ticket_id = $1 AND NOT (tag_id = ANY($2::uuid[]))', [
          ticketId,
          opts.keep,
        ]);
  return rowCount ?? 0;
}

export async function listTagsWithUsage(
  client: Queryable,
  q: string | undefined,
  limit: number,
): Promise<TagWithUsage[]> {
  const { rows } = await client.query<{
    id: string;
    name: string;
    ticket_count: number;
    created_by_id: string | null;
    created_at: Date;
  }>(
    `SELECT g.id, g.name, g.created_by_id, g.created_at,
       (SELECT count(*)::int FROM ticket_tags tt WHERE tt.tag_id = g.id) AS ticket_count
     FROM tags g
     WHERE $1::text IS NULL OR g.name ILIKE '%' || $1 || '%'
     -- Names that start with what was typed first (autocomplete), then the most used.
     ORDER BY ($1::text IS NOT NULL AND lower(g.name) LIKE lower($1) || '%') DESC, ticket_count DESC, lower(g.name)
     LIMIT $2`,
    [q ? q.replace(/[\\%_]/g, (c) => `\\${c}`) : null, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    ticketCount: r.ticket_count,
    createdById: r.created_by_id,
    createdAt: r.created_at,
  }));
}

export async function countTags(client: Queryable, q: string | undefined): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tags WHERE $1::text IS NULL OR name ILIKE '%' || $1 || '%'`,
    [q ? q.replace(/[\\%_]/g, (c) => `\\${c}`) : null],
  );
  return rows[0]!.n;
}

export async function renameTag(client: Queryable, id: string, name: string): Promise<Tag | null> {
  const { rows } = await client.query<Tag>('UPDATE tags SET name = $2 WHERE id = $1 RETURNING id, name', [id, name]);
  return rows[0] ?? null;
}

/**
 * Moves every ticket of `sourceId` to `intoId` (tickets that had both keep one) and deletes the
 * source tag; the triggers record a removal of the old tag and an addition of the new one.
 */
export async function mergeTags(client: Queryable, sourceId: string, intoId: string): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO ticket_tags (ticket_id, tag_id)
     SELECT ticket_id, $2::uuid FROM ticket_tags WHERE tag_id = $1 ORDER BY ticket_id ON CONFLICT DO NOTHING`,
    [sourceId, intoId],
  );
  await client.query('DELETE FROM tags WHERE id = $1', [sourceId]);
  return rowCount ?? 0;
}

export async function deleteTag(client: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await client.query('DELETE FROM tags WHERE id = $1', [id]);
  return rowCount === 1;
}

/**
 * Open (pending / in progress) tickets per tag, tags without open tickets left out: the
 * trigger-maintained totals plus the deltas not folded in yet (migration
 * 20261203320000_tag_open_counts), so the cost follows the number of tags, not of tickets.
 */
const OPEN_BY_TAG_SQL = `SELECT g.name, o.n
   FROM (SELECT tag_id, sum(n)::int AS n
         FROM (SELECT tag_id, n FROM tag_open_counts UNION ALL SELECT tag_id, delta FROM tag_open_count_deltas) x
         GROUP BY tag_id) o
   JOIN tags g ON g.id = o.tag_id
   WHERE o.n > 0
   ORDER BY o.n DESC, lower(g.name)`;

const byName = (rows: Array<{ name: string; n: number }>) => Object.fromEntries(rows.map((r) => [r.name, r.n]));

export async function openTicketsByTag(client: Queryable): Promise<Record<string, number>> {
  const { rows } = await client.query<{ name: string; n: number }>(OPEN_BY_TAG_SQL);
  return byName(rows);
}

/** The same as a part of a snapshot read (stats/overview); the function reads it back, most open first. */
export function addOpenByTagParts(q: SnapshotQuery): (row: Record<string, unknown>) => Record<string, number> {
  q.add('open_by_tag', OPEN_BY_TAG_SQL);
  return (row) => byName(row.open_by_tag as Array<{ name: string; n: number }>);
}

const COMPACTION_LOCK = 72_707_414;

/**
 * Folds the committed deltas into the totals (the worker's crontab, every minute). One compactor
 * at a time; idempotent (a delta is deleted as it is folded). Returns the deltas folded.
 */
export async function compactTagCounts(db: Db): Promise<number> {
  return withPgTransaction(db, async (client) => {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
      COMPACTION_LOCK,
    ]);
    if (!rows[0]?.locked) return 0;
    const { rows: moved } = await client.query<{ n: number }>(
      `WITH moved AS (DELETE FROM tag_open_count_deltas RETURNING tag_id, delta),
       folded AS (SELECT tag_id, sum(delta) AS d FROM moved GROUP BY tag_id),
       updated AS (UPDATE tag_open_counts c SET n = c.n + folded.d FROM folded WHERE c.tag_id = folded.tag_id)
       SELECT count(*)::int AS n FROM moved`,
    );
    return moved[0]?.n ?? 0;
  });
}

/** Recounts the totals from ticket_tags.open (after a bulk load with triggers off, as bench/tags.ts does). */
export async function rebuildTagCounts(client: Queryable): Promise<void> {
  await client.query('DELETE FROM tag_open_count_deltas');
  await client.query(
    `INSERT INTO tag_open_counts (tag_id, n)
     SELECT g.id, count(tt.tag_id) FROM tags g LEFT JOIN ticket_tags tt ON tt.tag_id = g.id AND tt.open GROUP BY g.id
     ON CONFLICT (tag_id) DO UPDATE SET n = EXCLUDED.n`,
  );
}

// --- SQL shared with the ticket queries -------------------------------------------------------------

/** The select-list item with a ticket's tag names (alias `t`), sorted case-insensitively. */
export const TICKET_TAGS_SELECT = `coalesce((SELECT array_agg(g.name ORDER BY lower(g.name)) FROM ticket_tags tt
  JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id), '{}') AS tags`;

/** The same as one text ("billing, vip"), for the CSV export (ticketSelect with isoDates). */
export const TICKET_TAGS_TEXT_SELECT = `coalesce((SELECT string_agg(g.name, ', ' ORDER BY lower(g.name)) FROM ticket_tags tt
  JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id), '') AS tags`;

/**
 * The WHERE condition of the `tags` filter for the ticket id column `idColumn`; `names` are
 * lowered already (tagsFilterParam). any: one of them; all: as many distinct matches as names.
 */
export function tagsCondition(idColumn: string, names: string[], mode: TagMode, p: (v: unknown) => string): string {
  const matches = `FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = ${idColumn} AND lower(g.name) = ANY(${p(names)}::text[])`;
  if (mode === 'all') return `(SELECT count(*) ${matches}) = ${p(names.length)}`;
  return `EXISTS (SELECT 1 ${matches})`;
}

// SQL of the canned replies. Visibility is part of every read: a row is visible to a user when it
// is shared (owner_id NULL) or theirs, so a personal template never leaks through a list, a
// lookup by id or a render.
import type pg from 'pg';
import type { CannedReply, CannedScope } from './schema.js';

type Queryable = Pick<pg.ClientBase, 'query'> | Pick<pg.Pool, 'query'>;

interface Row {
  id: string;
  name: string;
  body: string;
  owner_id: string | null;
  usage_count: number;
  last_used_at: Date | null;
  created_by_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, body, owner_id, usage_count, last_used_at, created_by_id, created_at, updated_at';
const VISIBLE = '(owner_id IS NULL OR owner_id = $1)';

const toReply = (r: Row): CannedReply => ({
  id: r.id,
  name: r.name,
  body: r.body,
  scope: r.owner_id ? 'personal' : 'shared',
  ownerId: r.owner_id,
  usageCount: r.usage_count,
  lastUsedAt: r.last_used_at,
  createdById: r.created_by_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface ListOptions {
  viewerId: string;
  q?: string;
  scope?: CannedScope;
  limit: number;
  offset: number;
}

function listWhere(o: ListOptions): { sql: string; params: unknown[] } {
  const params: unknown[] = [o.viewerId];
  const conds = [VISIBLE];
  if (o.q) {
    params.push(escapeLike(o.q));
    conds.push(`name ILIKE '%' || $${params.length} || '%'`);
  }
  if (o.scope === 'shared') conds.push('owner_id IS NULL');
  if (o.scope === 'personal') conds.push('owner_id = $1');
  return { sql: conds.join(' AND '), params };
}

/** Visible replies: names starting with `q` first, then the most used, then by name. */
export async function listVisible(db: Queryable, o: ListOptions): Promise<CannedReply[]> {
  const where = listWhere(o);
  const prefix = o.q ? `lower(name) LIKE lower($2) || '%' DESC,` : '';
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM canned_replies WHERE ${where.sql}
     ORDER BY ${prefix} usage_count DESC, lower(name), id
     LIMIT $${where.params.length + 1} OFFSET $${where.params.length + 2}`,
    [...where.params, o.limit, o.offset],
  );
  return rows.map(toReply);
}

export async function countVisible(db: Queryable, o: Omit<ListOptions, 'limit' | 'offset'>): Promise<number> {
  const where = listWhere({ ...o, limit: 0, offset: 0 });
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM canned_replies WHERE ${where.sql}`,
    where.params,
  );
  return rows[0]!.n;
}

export async function findVisible(
  db: Queryable,
  viewerId: string,
  id: string,
  lock = false,
): Promise<CannedReply | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM canned_replies WHERE id = $2 AND ${VISIBLE}${lock ? ' FOR UPDATE' : ''}`,
    [viewerId, id],
  );
  return rows[0] ? toReply(rows[0]) : null;
}

export async function insertReply(
  db: Queryable,
  r: { name: string; body: string; ownerId: string | null; createdById: string; now: Date },
): Promise<CannedReply> {
  const { rows } = await db.query<Row>(
    `INSERT INTO canned_replies (name, body, owner_id, created_by_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $5) RETURNING ${COLUMNS}`,
    [r.name, r.body, r.ownerId, r.createdById, r.now],
  );
  return toReply(rows[0]!);
}

export async function updateReply(
  db: Queryable,
  id: string,
  patch: { name?: string; body?: string },
  now: Date,
): Promise<CannedReply> {
  const { rows } = await db.query<Row>(
    `UPDATE canned_replies SET name = coalesce($2, name), body = coalesce($3, body), updated_at = $4
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, patch.name ?? null, patch.body ?? null, now],
  );
  return toReply(rows[0]!);
}

export async function deleteReply(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM canned_replies WHERE id = $1', [id]);
}

/** One use: counted when the rendered text is inserted into a reply (docs/tags-and-canned.md). */
export async function countUse(db: Queryable, id: string, now: Date): Promise<number> {
  const { rows } = await db.query<{ usage_count: number }>(
    'UPDATE canned_replies SET usage_count = usage_count + 1, last_used_at = $2 WHERE id = $1 RETURNING usage_count',
    [id, now],
  );
  return rows[0]?.usage_count ?? 0;
}

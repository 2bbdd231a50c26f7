// Several reads in one statement: each part is a SELECT whose rows come back as one JSON array
// column, so a page of figures (stats/overview, the dashboard) costs one round trip and sees one
// snapshot. On this kind of machine a round trip costs more CPU than a small aggregate (socket
// syscalls: bench:stats profiles), and the statement is prepared: planning it took 3–5 ms of ~10.
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Adds a bind parameter and returns its placeholder ($n). */
export type Param = (value: unknown) => string;

export class SnapshotQuery {
  private readonly params: unknown[] = [];
  private readonly parts: Array<[string, string]> = [];

  /** The pool it runs on; also what per-database caches of its parts are kept by (settled-days.ts). */
  constructor(readonly pool: pg.Pool) {}

  /** The placeholder for a new bind parameter. */
  readonly p: Param = (value) => `$${this.params.push(value)}`;

  /** The bind parameters so far, for builders that push their own and number them by its length. */
  get boundParams(): unknown[] {
    return this.params;
  }

  /** Adds a part: its rows come back under `name` (an empty array for none; null sql: no rows). */
  add(name: string, sql: string | null): this {
    if (!/^[a-z_][a-z0-9_]*$/.test(name) || this.parts.some(([n]) => n === name)) {
      throw new Error(`snapshot part name ${name} is invalid or taken`);
    }
    this.parts.push([name, sql ? `(SELECT coalesce(json_agg(r), '[]'::json) FROM (${sql}) r)` : `'[]'::json`]);
    return this;
  }

  async run<T extends Record<string, unknown[]>>(): Promise<T> {
    const text = `SELECT ${this.parts.map(([name, sql]) => `${sql} AS ${name}`).join(',\n  ')}`;
    const { rows } = await this.pool.query<T>({ name: statementName(text), text, values: this.params });
    return rows[0]!;
  }
}

/** Thrown by a part's reader when the snapshot shows that what it had cached is out of date. */
export class StaleSnapshotPart extends Error {
  constructor(part: string) {
    super(`snapshot part ${part}: cached rows are out of date`);
  }
}

/**
 * Builds a snapshot statement, runs it and reads it back; when a reader finds its cache stale, builds
 * and runs it once more (the reader dropped its cache, so the second statement reads everything).
 */
export async function readSnapshot<T>(
  pool: pg.Pool,
  build: (q: SnapshotQuery) => (row: Record<string, unknown>) => T,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const q = new SnapshotQuery(pool);
    const read = build(q);
    const row = await q.run();
    try {
      return read(row);
    } catch (err) {
      if (!(err instanceof StaleSnapshotPart) || attempt > 1) throw err;
    }
  }
}

// One name per distinct text; pg prepares it once per connection. The texts only vary with which
// optional parts a read has (a rolling window cut exactly at midnight has no edge): a handful.
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `snapshot_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

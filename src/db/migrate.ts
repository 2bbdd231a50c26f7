// Migration runner. `prisma migrate deploy` cannot run here (no native schema engine), so the app
// applies prisma/migrations/*/migration.sql itself and records them in _prisma_migrations exactly
// as Prisma does (sha256 checksum, timestamps, applied_steps_count), under Prisma's own advisory
// lock key, so `prisma migrate status` agrees wherever the native engine exists.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runMigrations as runWorkerMigrations } from 'graphile-worker';

const PRISMA_ADVISORY_LOCK = 72707369;
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');
// When compiled, this file lives in dist/src/db; the migrations stay at the project root.
const migrationsDir = async (): Promise<string> => {
  for (const candidate of [MIGRATIONS_DIR, path.resolve(MIGRATIONS_DIR, '../../../prisma/migrations')]) {
    try {
      await readdir(candidate);
      return candidate;
    } catch {
      /* try the next */
    }
  }
  throw new Error(`migrations folder not found near ${MIGRATIONS_DIR}`);
};

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export async function readMigrationFiles(dir?: string): Promise<MigrationFile[]> {
  const root = dir ?? (await migrationsDir());
  const entries = await readdir(root, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(root, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

export async function migrate(
  connectionString: string,
  opts: { dir?: string; log?: (msg: string) => void } = {},
): Promise<MigrateResult> {
  const files = await readMigrationFiles(opts.dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // Two instances starting at once: the second waits here, then finds nothing pending.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const applied = new Map(rows.map((r) => [r.migration_name, r]));
    for (const row of rows) {
      if (!row.finished_at) {
        throw new MigrationError(
          `Migration ${row.migration_name} was started but never finished; fix the database and mark it rolled back before starting again`,
        );
      }
    }
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const file of files) {
      const done = applied.get(file.name);
      if (done) {
        if (done.checksum !== file.checksum) {
          throw new MigrationError(
            `Migration ${file.name} was modified after it was applied (checksum mismatch); restore the original file and add a new migration instead`,
          );
        }
        result.alreadyApplied.push(file.name);
        continue;
      }
      await client.query('BEGIN');
      try {
        // Both timestamps from the server's clock; now() would be the transaction start, i.e.
        // before started_at, so finished_at uses clock_timestamp().
        const { rows: startedRows } = await client.query<{ started: Date }>('SELECT clock_timestamp() AS started');
        const started = startedRows[0]!.started;
        await client.query(file.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, $4, clock_timestamp(), 1)`,
          [randomUUID(), file.checksum, file.name, started],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationError(`Migration ${file.name} failed: ${(err as Error).message}`);
      }
      opts.log?.(`applied migration ${file.name}`);
      result.applied.push(file.name);
    }
    // The job queue's own schema: installed here so jobs can be queued (in the same transaction
    // as a ticket) even on web-only instances that never start a worker.
    await runWorkerMigrations({ connectionString });
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => {});
    await client.end().catch(() => {});
  }
}

/** Names of migration files not yet applied (for /readyz). */
export async function pendingMigrations(pool: pg.Pool, files: MigrationFile[]): Promise<string[]> {
  let rows: Array<{ migration_name: string }>;
  try {
    ({ rows } = await pool.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    ));
  } catch (err) {
    // A reachable but never-migrated database: everything is pending (not "database unreachable").
    if ((err as { code?: string }).code !== '42P01') throw err;
    rows = [];
  }
  const done = new Set(rows.map((r) => r.migration_name));
  return files.filter((f) => !done.has(f.name)).map((f) => f.name);
}

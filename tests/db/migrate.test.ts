import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import pg from 'pg';
import {
  migrate,
  MigrationError,
  MIGRATIONS_DIR,
  pendingMigrations,
  readMigrationFiles,
} from '../../src/db/migrate.js';
import { createEmptyDatabase, type TestDatabase } from '../helpers/db.js';

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

const appliedRows = (url: string) =>
  query<MigrationRow>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name, started_at');

async function migrationNamesOnDisk(dir = MIGRATIONS_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

describe('migration runner', () => {
  const databases: TestDatabase[] = [];
  const tempDirs: string[] = [];
  const emptyDatabase = async () => {
    const db = await createEmptyDatabase();
    databases.push(db);
    return db;
  };
  /** A private copy of prisma/migrations that a test may change. */
  const copyOfMigrations = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'contactdesk-migrations-'));
    tempDirs.push(dir);
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    return dir;
  };
  let names: string[];

  before(async () => {
    names = await migrationNamesOnDisk();
    assert.ok(names.length >= 1);
  });
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });
  after(async () => {
    await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('when run on an empty database, then every migration is applied and recorded the way Prisma does', async () => {
    const db = await emptyDatabase();
    const result = await migrate(db.url);
    assert.deepEqual(result.applied, names);
    assert.deepEqual(result.alreadyApplied, []);

    const rows = await appliedRows(db.url);
    assert.deepEqual(
      rows.map((r) => r.migration_name),
      names,
    );
    for (const row of rows) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      assert.equal(row.checksum, createHash('sha256').update(sql).digest('hex'), row.migration_name);
      assert.match(row.id, /^[0-9a-f-]{36}$/);
      assert.ok(row.finished_at instanceof Date, 'finished_at is set');
      assert.ok(row.finished_at >= row.started_at);
      assert.equal(row.applied_steps_count, 1);
      assert.equal(row.rolled_back_at, null);
    }
    // The schema really exists, including the job queue the submit transaction writes to.
    const tables = await query<{ n: string }>(
      db.url,
      `SELECT to_regclass('public.contact_submissions')::text AS n
       UNION ALL SELECT to_regclass('graphile_worker._private_jobs')::text`,
    );
    assert.deepEqual(
      tables.map((t) => t.n),
      ['contact_submissions', 'graphile_worker._private_jobs'],
    );
  });

  test('when run again, then nothing is applied and the records are unchanged', async () => {
    const db = await emptyDatabase();
    await migrate(db.url);
    const before = await appliedRows(db.url);
    const second = await migrate(db.url);
    assert.deepEqual(second.applied, []);
    assert.deepEqual(second.alreadyApplied, names);
    assert.deepEqual(await appliedRows(db.url), before);
  });

  test('when an applied migration file was changed, then the runner refuses and names it', async () => {
    const db = await emptyDatabase();
    const dir = await copyOfMigrations();
    await migrate(db.url, { dir });
    const changed = names[0]!;
    await appendFile(path.join(dir, changed, 'migration.sql'), '\n-- an innocent-looking edit\n');
    await assert.rejects(migrate(db.url, { dir }), (err: Error) => {
      assert.ok(err instanceof MigrationError);
      assert.match(err.message, new RegExp(changed));
      assert.match(err.message, /checksum/);
      return true;
    });
  });

  test('when two runners start at once, then each migration is applied exactly once', async () => {
    const db = await emptyDatabase();
    const [a, b] = await Promise.all([migrate(db.url), migrate(db.url)]);
    assert.deepEqual([...a.applied, ...b.applied].sort(), names);
    // One of them did everything; the other waited for the lock and found nothing pending.
    assert.ok(
      (a.applied.length === names.length && b.applied.length === 0) ||
        (b.applied.length === names.length && a.applied.length === 0),
    );
    const rows = await appliedRows(db.url);
    assert.deepEqual(
      rows.map((r) => r.migration_name),
      names,
    );
  });

  test('when a migration fails, then its changes are rolled back, nothing is recorded for it, and it is named', async () => {
    const db = await emptyDatabase();
    const dir = await copyOfMigrations();
    const broken = '29990101000000_broken';
    await mkdir(path.join(dir, broken));
    await writeFile(
      path.join(dir, broken, 'migration.sql'),
      'CREATE TABLE half_done (id int);\nINSERT INTO half_done VALUES (1);\nSELECT 1 / 0;\n',
    );
    await assert.rejects(migrate(db.url, { dir }), (err: Error) => {
      assert.ok(err instanceof MigrationError);
      assert.match(err.message, new RegExp(broken));
      assert.match(err.message, /division by zero/);
      return true;
    });
    const [leftover] = await query<{ t: string | null }>(db.url, `SELECT to_regclass('public.half_done')::text AS t`);
    assert.equal(leftover?.t, null, 'the failed migration left no table behind');
    const rows = await appliedRows(db.url);
    assert.deepEqual(
      rows.map((r) => r.migration_name),
      names,
      'the migrations before it stay applied',
    );

    // Fixed file: the next run applies it.
    await writeFile(path.join(dir, broken, 'migration.sql'), 'CREATE TABLE half_done (id int);\n');
    const retry = await migrate(db.url, { dir });
    assert.deepEqual(retry.applied, [broken]);
  });

  test('when a recorded migration never finished, then the runner refuses to continue', async () => {
    const db = await emptyDatabase();
    await migrate(db.url);
    await query(db.url, `UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = '${names[0]}'`);
    await assert.rejects(migrate(db.url), new RegExp(`${names[0]}.*never finished`));
  });

  test('when migrations are pending, then pendingMigrations lists them (an unmigrated database has all pending)', async () => {
    const db = await emptyDatabase();
    const files = await readMigrationFiles();
    const pool = new pg.Pool({ connectionString: db.url });
    try {
      assert.deepEqual(await pendingMigrations(pool, files), names);
      await migrate(db.url);
      assert.deepEqual(await pendingMigrations(pool, files), []);
      const future = { name: '29990101000000_future', sql: 'SELECT 1', checksum: 'x' };
      assert.deepEqual(await pendingMigrations(pool, [...files, future]), [future.name]);
    } finally {
      await pool.end();
    }
  });
});

// The PostgreSQL a benchmark runs against.
//   BENCH_DATABASE_URL set → that server (the role must be allowed to CREATE DATABASE); bench
//                            databases are created next to the database in the URL.
//   otherwise              → an embedded PostgreSQL (the product's own binaries, src/db/embedded.ts)
//                            in a temp folder removed at the end, or in BENCH_PG_DIR if set (kept,
//                            so a seeded 1M-row database can be reused between runs).
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { freePort } from './net.js';

export interface BenchPostgres {
  /** Maintenance connection (CREATE/DROP DATABASE). */
  adminUrl: string;
  embedded: boolean;
  version: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function startBenchPostgres(log: (m: string) => void = () => {}): Promise<BenchPostgres> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) {
    return {
      adminUrl: external,
      embedded: false,
      version: await serverVersion(external),
      urlFor: (db) => withDatabase(external, db),
      stop: async () => {},
    };
  }
  const keepDir = process.env.BENCH_PG_DIR ? path.resolve(process.env.BENCH_PG_DIR) : undefined;
  const dir = keepDir ?? (await mkdtemp(path.join(os.tmpdir(), 'contactdesk-bench-pg-')));
  await mkdir(dir, { recursive: true });
  // As root, PostgreSQL runs as the postgres OS user, which must be able to enter the folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  log(`starting embedded PostgreSQL in ${dir} on port ${port}`);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, database: 'postgres', log });
  return {
    adminUrl: embedded.adminUrl,
    embedded: true,
    version: await serverVersion(embedded.adminUrl),
    urlFor: (db) => withDatabase(embedded.adminUrl, db),
    stop: async () => {
      await embedded.stop();
      if (!keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return rows[0]!.v;
  } finally {
    await client.end();
  }
}

export async function databaseExists(pgs: BenchPostgres, name: string): Promise<boolean> {
  return withClient(pgs.adminUrl, async (c) => {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return Boolean(rowCount);
  });
}

/** A fresh database with every migration applied (dropped first if it exists). */
export async function createMigratedDatabase(pgs: BenchPostgres, name: string): Promise<string> {
  await withClient(pgs.adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  });
  const url = pgs.urlFor(name);
  await migrate(url);
  return url;
}

export async function dropDatabase(pgs: BenchPostgres, name: string): Promise<void> {
  await withClient(pgs.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function countTickets(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM contact_submissions');
    return rows[0]!.n;
  });
}

// A fresh database per test file, cloned from the migrated template that `npm test` prepared.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run tests with \`npm test\` (scripts/run-tests.ts)`);
  return v;
}

export function adminUrl(): string {
  return env('TEST_PG_ADMIN_URL');
}

export function databaseUrl(name: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withAdminClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(opts: { template?: string } = {}): Promise<TestDatabase> {
  const name = `cd_test_${randomBytes(6).toString('hex')}`;
  const template = opts.template ?? env('TEST_TEMPLATE_DB');
  await withAdminClient(async (c) => {
    // Concurrent clones of one template can collide briefly ("being accessed by other users").
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdminClient(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/** An empty database (no migrations), for the migration runner's own tests. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = `cd_empty_${randomBytes(6).toString('hex')}`;
  await withAdminClient(async (c) => void (await c.query(`CREATE DATABASE ${name}`)));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdminClient(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

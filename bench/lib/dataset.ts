// Seeded databases shared by the read-only benchmarks (list, export) and the staff account they
// log in with. A database seeded once is marked with a COMMENT and reused — within `npm run bench`
// and across runs when BENCH_PG_DIR keeps the cluster.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { hashPassword } from '../../src/auth/passwords.js';
import { migrate } from '../../src/db/migrate.js';
import { printSeedTiming, seedTickets, type SeedTiming } from '../seed.js';
import type { BenchEnv } from './harness.js';
import { createMigratedDatabase, databaseExists, withClient } from './postgres.js';

// Bumped when the seeded data changes shape, so older bench databases are seeded again.
const marker = (count: number) => `contactdesk bench seed v2 (SLA due times): ${count} tickets`;

export async function ensureSeededDatabase(
  env: BenchEnv,
  count: number,
): Promise<{ url: string; seed: SeedTiming | null }> {
  const name = `contactdesk_bench_${count}`;
  if (await databaseExists(env.pg, name)) {
    const url = env.pg.urlFor(name);
    const comment = await withClient(url, async (c) => {
      const { rows } = await c.query<{ d: string | null }>(
        'SELECT shobj_description(oid, $1) AS d FROM pg_database WHERE datname = current_database()',
        ['pg_database'],
      );
      return rows[0]?.d;
    });
    if (comment === marker(count)) {
      env.log(`reusing seeded database ${name}`);
      await migrate(url);
      return { url, seed: null };
    }
  }
  const url = await createMigratedDatabase(env.pg, name);
  const seed = await seedTickets(url, count, env.log);
  printSeedTiming(seed);
  await withClient(env.pg.adminUrl, (c) =>
    c.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(name)} IS ${pg.escapeLiteral(marker(count))}`),
  );
  return { url, seed };
}

export interface StaffCredentials {
  email: string;
  password: string;
}

/** An active admin with a password (inserted directly: the bench measures reads, not sign-up). */
export async function createBenchAdmin(url: string): Promise<StaffCredentials> {
  const creds = {
    email: `bench-admin-${randomBytes(4).toString('hex')}@example.com`,
    password: randomBytes(16).toString('hex'),
  };
  const hash = await hashPassword(creds.password);
  await withClient(url, (c) =>
    c.query(
      `INSERT INTO users (id, email, name, role, password_hash, is_active, created_at, updated_at)
       VALUES (gen_random_uuid(), $1, 'Bench Admin', 'admin', $2, true, now(), now())`,
      [creds.email, hash],
    ),
  );
  return creds;
}

/** A Bearer token through the real endpoint (POST /api/v1/auth/token). */
export async function fetchToken(baseUrl: string, creds: StaffCredentials): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(creds),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 201 && res.status !== 200) throw new Error(`token request: ${res.status} ${JSON.stringify(body)}`);
  return body.token!;
}

/** A panel session cookie through the real sign-in form (POST /admin/login). */
export async function panelLogin(baseUrl: string, creds: StaffCredentials): Promise<string> {
  const res = await fetch(`${baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: creds.email, password: creds.password }).toString(),
    redirect: 'manual',
  });
  await res.arrayBuffer();
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('contactdesk.sid='));
  if (res.status !== 302 || !cookie) throw new Error(`panel login: ${res.status}, no session cookie`);
  return cookie.split(';')[0]!;
}

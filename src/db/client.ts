// The one place a database connection is made. Callers get a `Db` (Prisma client + the pg pool
// under it) and pass it along; nothing creates its own client.
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';

export interface Db {
  prisma: PrismaClient;
  /** Raw pg pool shared with Prisma: used for hot paths, streaming and SQL Prisma cannot express. */
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface DbOptions {
  max?: number;
  /** How long to wait for a free/new connection before failing (a down database → fast 503). */
  connectionTimeoutMillis?: number;
}

export function createDb(connectionString: string, opts: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped idle connection (database restart) must not crash the process.
  pool.on('error', () => {});
  // Nor may a dropped connection that is checked out between two queries (inside a transaction,
  // while JS awaits): pg-pool removes its idle listener at checkout, and a pg Client with no
  // 'error' listener throws the error as uncaught. pg re-raises it on the client's next query,
  // which the request then answers with a 503, so the listener only has to exist.
  pool.on('connect', (client) => client.on('error', () => {}));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    prisma,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}

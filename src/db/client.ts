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
  /** Shown in pg_stat_activity: tells the web pool's sessions from the worker's. */
  applicationName?: string;
  /**
   * Release checked-out clients whose connection died (see reapDeadCheckedOutClients; default
   * true). The worker's pool turns it off: graphile keeps its LISTEN client's release function
   * from checkout time, so a release made for it would make graphile's own release throw (an
   * uncaught "already been released"), and the worker runs no Prisma transaction that could leak.
   */
  releaseDeadClients?: boolean;
}

/** How long the owner of a checked-out client whose connection died has to release it itself. */
const DEAD_CLIENT_GRACE_MS = 1_000;

/**
 * Prisma 6.19's transaction manager releases a transaction's client only after its COMMIT or
 * ROLLBACK succeeded; when the connection died mid-transaction (database restart) that statement
 * fails and the client stays checked out forever. Each restart would shrink the pool for good —
 * until every request waits for a connection and answers 503 — and pool.end() would never return.
 * So a checked-out client whose connection has ended is released (and discarded) after a short
 * grace; its owner's own later release() becomes a no-op instead of pg-pool's double-release error.
 */
function reapDeadCheckedOutClients(pool: pg.Pool): void {
  const checkedOut = new Set<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_err, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.once('end', () => {
      setTimeout(() => {
        if (!checkedOut.has(client)) return;
        checkedOut.delete(client);
        const release = client.release.bind(client);
        client.release = () => {};
        release(new Error('connection ended while checked out'));
      }, DEAD_CLIENT_GRACE_MS).unref();
    });
  });
}

type ConnectCallback = (
  err: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/**
 * A pg.Pool whose callback-style connect() hands out a release function that may be called twice.
 * graphile-worker 0.17 takes its LISTEN client that way and can release it twice (a pool shutdown
 * that meets a lost connection: once from the shutdown, once from the failed LISTEN); pg-pool
 * throws on the second call, and from inside graphile that was an uncaught error.
 */
class Pool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (!callback) return super.connect();
    super.connect((err, client, done) => {
      let released = false;
      callback(err, client, (release?: unknown) => {
        if (released) return;
        released = true;
        done(release);
      });
    });
  }
}

export function createDb(connectionString: string, opts: DbOptions = {}): Db {
  const pool = new Pool({
    connectionString,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: 30_000,
    ...(opts.applicationName ? { application_name: opts.applicationName } : {}),
  });
  // A dropped idle connection (database restart) must not crash the process.
  pool.on('error', () => {});
  // Nor may a dropped connection that is checked out between two queries (inside a transaction,
  // while JS awaits): pg-pool removes its idle listener at checkout, and a pg Client with no
  // 'error' listener throws the error as uncaught. pg re-raises it on the client's next query,
  // which the request then answers with a 503, so the listener only has to exist.
  pool.on('connect', (client) => client.on('error', () => {}));
  if (opts.releaseDeadClients ?? true) reapDeadCheckedOutClients(pool);
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

// Every write runs in a transaction that first tells PostgreSQL who is writing and through what
// (actor / source / request id). The audit triggers read these settings; `set_config(..., true)`
// scopes them to the transaction so a pooled connection never leaks them to the next user.
import type { Prisma } from '@prisma/client';
import type pg from 'pg';
import type { Db } from './client.js';

export const AUDIT_SOURCES = ['api', 'admin', 'worker', 'cli', 'system'] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

export interface WriteContext {
  actorId: string | null;
  source: AuditSource;
  requestId?: string | null;
}

export type Tx = Prisma.TransactionClient;

const SET_CONTEXT_SQL = `SELECT set_config('contactdesk.actor_id', $1, true),
  set_config('contactdesk.source', $2, true), set_config('contactdesk.request_id', $3, true)`;

function contextParams(ctx: WriteContext): string[] {
  return [ctx.actorId ?? '', ctx.source, ctx.requestId ?? ''];
}

/** Prisma interactive transaction with the write context set. */
export async function inTransaction<T>(db: Db, ctx: WriteContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.prisma.$transaction(
    async (tx) => {
      const [actor, source, requestId] = contextParams(ctx);
      await tx.$executeRaw`SELECT set_config('contactdesk.actor_id', ${actor}, true),
        set_config('contactdesk.source', ${source}, true), set_config('contactdesk.request_id', ${requestId}, true)`;
      return fn(tx);
    },
    // Many concurrent writers queue for pool connections; waiting is better than failing.
    { maxWait: 15_000, timeout: 30_000 },
  );
}

/** Raw pg transaction: BEGIN … COMMIT, ROLLBACK on error; a connection that failed to roll back is discarded. */
export async function withPgTransaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Sets the write context inside a transaction the caller opened (e.g. an upload's, see attachments.service). */
export async function setWriteContext(client: pg.ClientBase, ctx: WriteContext): Promise<void> {
  await client.query(SET_CONTEXT_SQL, contextParams(ctx));
}

/** Raw pg transaction with the write context set (hot paths that Prisma would slow down). */
export async function inPgTransaction<T>(
  db: Db,
  ctx: WriteContext,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withPgTransaction(db, async (client) => {
    await client.query(SET_CONTEXT_SQL, contextParams(ctx));
    return fn(client);
  });
}

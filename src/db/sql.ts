// A tiny "run this SQL" seam so one function can take part in either a raw pg transaction
// (hot paths) or a Prisma interactive transaction (everything else).
import type pg from 'pg';
import type { Tx } from './tx.js';

export type SqlRunner = <R = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>;

export const pgRunner =
  (client: pg.ClientBase): SqlRunner =>
  async <R>(sql: string, params: unknown[] = []) =>
    (await client.query(sql, params)).rows as R[];

export const prismaRunner =
  (tx: Tx): SqlRunner =>
  async <R>(sql: string, params: unknown[] = []) =>
    (await tx.$queryRawUnsafe(sql, ...params)) as R[];

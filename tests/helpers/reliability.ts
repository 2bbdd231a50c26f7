// Shared parts of the fault suite (tests/reliability): a real HTTP server on a loopback port, a
// worker with its own connection pool (as a separate process would have), a bounded concurrent
// request driver, and the ledgers that prove "nothing lost, nothing twice".
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type net from 'node:net';
import { buildApp, type BuildAppOptions } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import type { AppContext } from '../../src/context.js';
import { createDb, type Db, type DbOptions } from '../../src/db/client.js';
import { readMigrationFiles } from '../../src/db/migrate.js';
import { createWorkerDb, startWorker, type WorkerHandle, type WorkerOptions } from '../../src/jobs/worker.js';
import { createLogger } from '../../src/logger.js';
import { EMAIL_KINDS } from '../../src/mail/mail.queue.js';
import { testConfig } from './app.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LiveApp {
  /** http://127.0.0.1:<port> */
  url: string;
  ctx: AppContext;
  close(): Promise<void>;
}

export interface LiveAppOptions {
  databaseUrl: string;
  env?: Record<string, string>;
  clock?: Clock;
  pool?: DbOptions;
  build?: BuildAppOptions;
}

/** Context for one process-like unit (app instance or worker): its own config and pool. */
export async function createContext(
  opts: Omit<LiveAppOptions, 'build'>,
  makeDb: (config: AppContext['config']) => Db = () => createDb(opts.databaseUrl, { max: 20, ...opts.pool }),
): Promise<AppContext> {
  // RELIABILITY_LOG_LEVEL=debug shows the app's and worker's logs when a scenario misbehaves.
  const logLevel = process.env.RELIABILITY_LOG_LEVEL;
  const config = testConfig({ ...opts.env, ...(logLevel ? { LOG_LEVEL: logLevel } : {}) }, opts.databaseUrl);
  return {
    config,
    db: makeDb(config),
    logger: createLogger(config),
    clock: opts.clock ?? { now: () => new Date() },
    migrationFiles: await readMigrationFiles(),
  };
}

/** buildApp + listen on 127.0.0.1, port 0: the real HTTP stack, as `npm start` serves it. */
export async function startLiveApp(opts: LiveAppOptions): Promise<LiveApp> {
  const ctx = await createContext(opts);
  const app = await buildApp(ctx, opts.build);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  // Longer than any pause of a load client, so a kept-alive socket is never closed by the server
  // just as the client reuses it (that race is a client-side "other side closed", not a fault).
  server.keepAliveTimeout = 120_000;
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ctx,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.db.close();
    },
  };
}

export interface LiveWorker {
  handle: WorkerHandle;
  ctx: AppContext;
  stop(): Promise<void>;
}

/** startWorker on a pool of its own (a worker process never shares the web pool). */
export async function startLiveWorker(
  opts: Omit<LiveAppOptions, 'build'>,
  worker: WorkerOptions = {},
): Promise<LiveWorker> {
  const concurrency = worker.concurrency ?? 8;
  // The pool a worker process or an inline worker gets (src/jobs/worker.ts createWorkerDb).
  const ctx = await createContext(opts, (config) =>
    createWorkerDb(opts.databaseUrl, { ...config, WORKER_CONCURRENCY: concurrency }, opts.pool),
  );
  const handle = await startWorker(ctx, { concurrency, ...worker });
  return {
    handle,
    ctx,
    async stop() {
      await handle.stop();
      await ctx.db.close();
    },
  };
}

export interface HttpResult {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
  ms: number;
}

/** One HTTP request with a hard time limit; the body is read as JSON when it parses. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Uint8Array; json?: unknown; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const started = performance.now();
  const headers = { ...opts.headers };
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, {
    method,
    headers,
    // Raw bytes (e.g. invalid UTF-8) go out as a Blob: exactly those bytes, no re-encoding.
    body: typeof body === 'string' || body === undefined ? body : new Blob([new Uint8Array(body)]),
    redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers, ms: performance.now() - started };
}

/**
 * Runs `task(i)` for i = 0..count-1 on `concurrency` loops. Bounded twice: by count, and by
 * `deadlineMs` — past it, remaining tasks are not started and the call rejects.
 */
export async function runConcurrently(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
  deadlineMs: number,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let next = 0;
  const loop = async () => {
    while (next < count) {
      if (Date.now() > deadline) throw new Error(`gave up after ${deadlineMs} ms with ${count - next} tasks left`);
      await task(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, loop));
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(intervalMs);
  }
}

export interface SubmitBody {
  name: string;
  email: string;
  subject: string;
  message: string;
  category: string;
}

export function submission(i: number, tag = 'load'): SubmitBody {
  const categories = ['general', 'bug', 'feature', 'account', 'other'];
  return {
    name: `Customer ${i}`,
    email: `${tag}-${i}@customers.example`,
    subject: `${tag} question ${i}`,
    message: `Hello, this is ${tag} message number ${i}.\nIt has two lines.`,
    category: categories[i % categories.length]!,
  };
}

/** A documented error body: { error: { code, message, fields? } } and nothing else. */
export function isErrorShape(body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') return false;
  const err = (body as { error: unknown }).error;
  if (!err || typeof err !== 'object' || Array.isArray(err)) return false;
  const e = err as Record<string, unknown>;
  if (typeof e.code !== 'string' || !e.code || typeof e.message !== 'string' || !e.message) return false;
  if (!Object.keys(e).every((k) => ['code', 'message', 'fields'].includes(k))) return false;
  if (e.fields === undefined) return true;
  if (!e.fields || typeof e.fields !== 'object' || Array.isArray(e.fields)) return false;
  return Object.values(e.fields).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'));
}

/** Every ticket number is CONT-YYYYMMDD-NNNN and, per day, the counters are exactly 1..n. */
export async function assertGaplessNumbers(ctx: AppContext): Promise<void> {
  const { rows } = await ctx.db.pool.query<{ day: string; n: number; max: number; distinct: number; bad: number }>(
    `SELECT substr(ticket_number, 6, 8) AS day, count(*)::int AS n,
            max(split_part(ticket_number, '-', 3)::int)::int AS max,
            count(DISTINCT split_part(ticket_number, '-', 3)::int)::int AS distinct,
            count(*) FILTER (WHERE ticket_number !~ '^CONT-[0-9]{8}-[0-9]{4,}$')::int AS bad
     FROM contact_submissions GROUP BY 1 ORDER BY 1`,
  );
  for (const r of rows) {
    assert.equal(r.bad, 0, `malformed ticket numbers on ${r.day}`);
    assert.deepEqual([r.distinct, r.max], [r.n, r.n], `numbers of ${r.day} are not exactly 1..${r.n}`);
  }
}

export interface MailLedger {
  /** Deliveries by kind. */
  byKind: Record<string, number>;
  /** Deliveries not (yet) `sent`. */
  unsent: number;
  /** Message-IDs the database says were sent. */
  messageIds: string[];
}

export async function mailLedger(ctx: AppContext): Promise<MailLedger> {
  const { rows } = await ctx.db.pool.query<{ kind: string; status: string; message_id: string | null }>(
    `SELECT kind::text AS kind, status::text AS status, message_id FROM email_deliveries`,
  );
  const byKind: Record<string, number> = {};
  for (const r of rows) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
  return {
    byKind,
    unsent: rows.filter((r) => r.status !== 'sent').length,
    messageIds: rows.filter((r) => r.message_id).map((r) => r.message_id!),
  };
}

/** Mail jobs still queued (the crontab's sweep jobs come and go on their own, see src/jobs/sweeps.ts). */
export async function pendingJobs(ctx: AppContext): Promise<number> {
  const { rows } = await ctx.db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = ANY($1::text[])`,
    [EMAIL_KINDS],
  );
  return rows[0]!.n;
}

/**
 * Waits until every delivery is `sent`, the queue is empty and the sink has seen `expected`
 * messages, then asserts that each sent Message-ID arrived exactly once and nothing else arrived.
 */
export async function assertEveryMailOnce(
  ctx: AppContext,
  sink: { counts: Map<string, number>; total: number; withoutMessageId: number; duplicates(): string[] },
  expected: number,
  timeoutMs: number,
): Promise<MailLedger> {
  await waitUntil(
    async () => sink.total >= expected && (await pendingJobs(ctx)) === 0 && (await mailLedger(ctx)).unsent === 0,
    `${expected} mails were delivered (sink has ${sink.total}) and the queue drained`,
    timeoutMs,
    250,
  );
  // A late duplicate would arrive just after the queue drains: give it a moment to show up.
  await sleep(500);
  const ledger = await mailLedger(ctx);
  assert.equal(ledger.messageIds.length, expected, 'sent deliveries in the database');
  assert.deepEqual(sink.duplicates().slice(0, 5), [], 'Message-IDs delivered more than once');
  assert.equal(sink.withoutMessageId, 0, 'messages without a Message-ID');
  const missing = ledger.messageIds.filter((id) => sink.counts.get(id) !== 1);
  assert.deepEqual(missing.slice(0, 5), [], 'sent deliveries the SMTP server never accepted');
  assert.equal(sink.total, expected, 'messages accepted by the SMTP server');
  return ledger;
}

/** Row counts of every table a request could write to. */
export async function writeCounts(ctx: AppContext): Promise<Record<string, number>> {
  const tables = [
    'contact_submissions',
    'contact_submission_events',
    'email_deliveries',
    'users',
    'user_events',
    'api_tokens',
    'login_throttles',
    'csv_exports',
    'graphile_worker._private_jobs',
  ];
  const out: Record<string, number> = {};
  for (const t of tables) {
    const { rows } = await ctx.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
    out[t] = rows[0]!.n;
  }
  const { rows } = await ctx.db.pool.query<{ n: number }>(
    `SELECT COALESCE(sum(last_value), 0)::int AS n FROM ticket_counters`,
  );
  out['ticket_counters.sum'] = rows[0]!.n;
  return out;
}

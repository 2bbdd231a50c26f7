// Webhook fan-out: N events (default 10,000) to 3 endpoints (loopback receivers in this process)
// through the whole pipeline — queueWebhookEvents in transactions of 100 events (as a submit
// batch queues them), the real worker (graphile-worker, the per-endpoint dispatcher, signing with
// standardwebhooks, the SSRF-checked pinned HTTP client, every result recorded) — until all 3×N
// deliveries are recorded delivered; vs plain fetch posting the very same bodies to the same
// receivers with the same number of requests in flight. Target: ≥ 0.5× the plain fetch rate.
import http, { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { createDb } from '../src/db/client.js';
import { readMigrationFiles } from '../src/db/migrate.js';
import { inPgTransaction } from '../src/db/tx.js';
import { startWorker } from '../src/jobs/worker.js';
import { createLogger } from '../src/logger.js';
import { queueWebhookEvents, type WebhookEvent } from '../src/webhooks/events.js';
import { createWebhookEndpoint } from '../src/webhooks/service.js';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { seedTickets } from './seed.js';

interface BenchReceiver {
  url: string;
  count: number;
  close(): Promise<void>;
}

async function receiver(): Promise<BenchReceiver> {
  const r = { url: '', count: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      r.count++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return r;
}

async function waitFor(probe: () => Promise<boolean> | boolean, what: string, timeoutMs = 900_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The same bodies, posted with fetch, `lanes` requests in flight in total. */
async function plainFetch(posts: Array<{ url: string; body: string }>, lanes: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < posts.length) {
        const p = posts[next++]!;
        const res = await fetch(p.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: p.body,
        });
        await res.text();
        if (res.status !== 200) throw new Error(`plain fetch got ${res.status}`);
      }
    }),
  );
  return (performance.now() - t0) / 1000;
}

/**
 * A stronger baseline, printed for context (not the target): node:http with a keep-alive agent,
 * the client the pipeline itself uses, minus everything the pipeline adds around it.
 */
async function plainHttp(posts: Array<{ url: string; body: string }>, lanes: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const post = (p: { url: string; body: string }) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        p.url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`plain http got ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(p.body);
    });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < posts.length) await post(posts[next++]!);
    }),
  );
  agent.destroy();
  return (performance.now() - t0) / 1000;
}

export async function webhooksBench(env: BenchEnv): Promise<BenchOutput> {
  const events = argNumber(env.args, 'events', env.quick ? 1000 : 10_000);
  const dbName = 'contactdesk_bench_webhooks';
  const url = await createMigratedDatabase(env.pg, dbName);
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: url,
    LOG_LEVEL: 'warn',
    // The receivers are on loopback.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ...(process.env.WEBHOOK_CONCURRENCY ? { WEBHOOK_CONCURRENCY: process.env.WEBHOOK_CONCURRENCY } : {}),
  });
  const db = createDb(url);
  const ctx: AppContext = {
    config,
    db,
    logger: createLogger(config),
    clock: systemClock,
    migrationFiles: await readMigrationFiles(),
  };
  const receivers = await Promise.all([receiver(), receiver(), receiver()]);
  try {
    await seedTickets(url, events, env.log);
    const { rows: tickets } = await db.pool.query<{ id: string }>('SELECT id FROM contact_submissions ORDER BY id');
    const { rows: users } = await db.pool.query<{ id: string }>(
      `INSERT INTO users (id, email, name, role, is_active, updated_at)
       VALUES (gen_random_uuid(), 'bench-admin@example.com', 'Bench Admin', 'admin', true, now()) RETURNING id`,
    );
    const admin = { id: users[0]!.id, email: 'bench-admin@example.com', name: 'Bench Admin', role: 'admin' as const };
    const endpoints = [];
    for (const r of receivers)
      endpoints.push((await createWebhookEndpoint(ctx, admin, { url: r.url, events: ['ticket.created'] })).endpoint);

    const worker = await startWorker(ctx, { concurrency: Math.max(config.WORKER_CONCURRENCY, receivers.length) });
    let pipelineSec: number;
    try {
      env.log(`pipeline: ${events} events × ${receivers.length} endpoints`);
      const t0 = performance.now();
      for (let i = 0; i < events; i += 100) {
        const batch: WebhookEvent[] = tickets
          .slice(i, Math.min(i + 100, events))
          .map((t) => ({ type: 'ticket.created', ticketId: t.id }));
        await inPgTransaction(db, { actorId: null, source: 'system' }, (client) =>
          queueWebhookEvents(client, systemClock.now(), batch),
        );
      }
      const total = events * receivers.length;
      await waitFor(async () => {
        const { rows } = await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered'`,
        );
        return rows[0]!.n >= total;
      }, 'every delivery recorded');
      pipelineSec = (performance.now() - t0) / 1000;
    } finally {
      await worker.stop();
    }
    const received = receivers.reduce((n, r) => n + r.count, 0);

    const { rows } = await db.pool.query<{ endpoint_id: string; body: string }>(
      'SELECT endpoint_id, payload::text AS body FROM webhook_deliveries ORDER BY created_at, id',
    );
    const urlOf = new Map(endpoints.map((e) => [e.id, e.url]));
    const posts = rows.map((r) => ({ url: urlOf.get(r.endpoint_id)!, body: r.body }));
    const lanes = receivers.length * config.WEBHOOK_CONCURRENCY;
    env.log(`plain fetch: the same ${posts.length} bodies, ${lanes} in flight`);
    const plainSec = await plainFetch(posts, lanes);
    env.log(`plain node:http (keep-alive): the same bodies, ${lanes} in flight`);
    const httpSec = await plainHttp(posts, lanes);

    const pipelineRate = (events * receivers.length) / pipelineSec;
    const plainRate = posts.length / plainSec;
    const ratio = pipelineRate / plainRate;
    printTable(
      `Webhooks: ${events} events to ${receivers.length} loopback endpoints (${lanes} requests in flight)`,
      ['sender', 'seconds', 'deliveries/s'],
      [
        ['pipeline (queue in txn → worker → signed, checked, recorded)', pipelineSec, pipelineRate],
        ['plain fetch, same bodies', plainSec, plainRate],
        ['(context) plain node:http keep-alive, same bodies', httpSec, posts.length / httpSec],
      ],
    );
    console.log(
      `ratio pipeline/plain fetch: ${ratio.toFixed(2)}×; pipeline/plain node:http: ${(pipelineRate / (posts.length / httpSec)).toFixed(2)}× (receivers got ${received} pipeline requests)`,
    );
    return {
      params: { events, endpoints: receivers.length, lanes },
      measurements: {
        pipelineSec,
        pipelineRate,
        plainSec,
        plainRate,
        ratio,
        httpSec,
        httpRate: posts.length / httpSec,
        received,
      },
      targets: [
        target('webhooks', 'pipeline rate vs plain fetch', ratio, '>=', 0.5, '×'),
        target('webhooks', 'requests received by the receivers', received, '>=', events * receivers.length),
      ],
    };
  } finally {
    await Promise.all(receivers.map((r) => r.close()));
    await db.close();
    await dropDatabase(env.pg, dbName);
  }
}

// No server process here: the worker runs in this process, from source.
if (isMain(import.meta.url)) await standalone('webhooks', webhooksBench, { build: false });

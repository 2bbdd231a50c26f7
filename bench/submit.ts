// Public submit throughput: the real server (compiled, production mode, rate limit off, worker
// not inline) vs bench/baseline-server.ts (bare Express + one pg INSERT) on the same database,
// then the product again at 70 % of its measured peak, evenly paced (open loop), to read its p99
// under normal load.
// Targets: throughput ≥ 0.5× baseline; p99 ≤ 50 ms at 70 % of peak.
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { startBaselineServer } from './lib/baseline.js';
import { runLoad, runPaced, type LoadResult } from './lib/load.js';
import { countTickets, createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { startServer } from './lib/server.js';

const CATEGORIES = ['general', 'general', 'bug', 'feature', 'account'];
let n = 0;
function submitBody(): string {
  n++;
  return JSON.stringify({
    name: `Bench Customer ${n}`,
    email: `customer${n}@bench.example.com`,
    subject: `Cannot log in (attempt ${n})`,
    message: 'Hello, since yesterday the login page says my password is wrong. I reset it twice already. Thanks!',
    category: CATEGORIES[n % CATEGORIES.length],
  });
}

async function load(url: string, opts: { durationSec: number; connections: number; overallRate?: number }) {
  return runLoad({
    url: `${url}/api/v1/contact/submit`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: submitBody,
    ...opts,
  });
}

export async function submitBench(env: BenchEnv): Promise<BenchOutput> {
  const durationSec = argNumber(env.args, 'duration', env.quick ? 5 : 15);
  const connections = argNumber(env.args, 'connections', 32);
  const dbName = 'contactdesk_bench_submit';
  const url = await createMigratedDatabase(env.pg, dbName);
  const rows: Array<[string, LoadResult]> = [];
  let product: LoadResult;
  let baseline: LoadResult;
  let steady: LoadResult;

  const base = await startBaselineServer(url);
  try {
    env.log(`baseline: warm-up, then ${durationSec} s with ${connections} connections`);
    await load(base.url, { durationSec: 2, connections });
    baseline = await load(base.url, { durationSec, connections });
    rows.push(['baseline: bare Express + 1 INSERT (peak)', baseline]);
  } finally {
    await base.stop();
  }

  const server = await startServer({ databaseUrl: url });
  try {
    env.log(`product: warm-up, then ${durationSec} s with ${connections} connections`);
    await load(server.url, { durationSec: 2, connections });
    product = await load(server.url, { durationSec, connections });
    rows.push(['product POST /api/v1/contact/submit (peak)', product]);
    const rate = Math.max(1, Math.floor(product.rps * 0.7));
    env.log(`product at 70 % of peak: ${rate} req/s for ${durationSec} s`);
    steady = await runPaced({
      url: `${server.url}/api/v1/contact/submit`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: submitBody,
      rate,
      durationSec,
    });
    rows.push([`product at 70 % of peak (${rate} req/s)`, steady]);
  } finally {
    await server.stop();
  }
  const stored = await countTickets(url);
  await dropDatabase(env.pg, dbName);

  printTable(
    'Public submit',
    ['run', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors'],
    rows.map(([name, r]) => [name, r.rps, r.p50, r.p95, r.p99, r.max, r.non2xx, r.errors]),
  );
  const ratio = product.rps / baseline.rps;
  console.log(`throughput ratio product/baseline: ${ratio.toFixed(2)}×  (tickets stored: ${stored})`);
  const bad = product.non2xx + product.errors + steady.non2xx + steady.errors;
  const targets = [
    target('submit', 'throughput vs bare INSERT baseline', ratio, '>=', 0.5, '×'),
    target('submit', 'p99 at 70 % of peak', steady.p99, '<=', 50, ' ms'),
    target('submit', 'failed requests (non-2xx + errors)', bad, '<=', 0),
  ];
  return {
    params: { durationSec, connections },
    measurements: { baseline, product, steady, ratio, ticketsStored: stored },
    targets,
  };
}

if (isMain(import.meta.url)) await standalone('submit', submitBench);

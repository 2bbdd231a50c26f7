// Stats that stay fast (issue 14 §6): GET /api/v1/contact/stats/overview and the panel dashboard's
// data (/admin/api/dashboard) with 4 concurrent clients, on a small (10k) and a large (1M) seeded
// database; and what the per-day stats triggers cost the public submit path, measured in the same
// run by alternating rounds with the triggers on and off on one server and database.
// Targets: overview p95 ≤ 50 ms at 1M with 4 clients; 1M p95 ≤ 2× the 10k p95; submit with the
// triggers ≥ 0.95× without.
//
//   npm run bench:stats -- [--quick] [--small 10000] [--large 1000000] [--duration 10]
//                          [--connections 4] [--rounds 6] [--round-seconds 5] [--skip-submit | --skip-reads]
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { createBenchAdmin, ensureSeededDatabase, fetchToken, panelLogin } from './lib/dataset.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { createMigratedDatabase, dropDatabase, withClient } from './lib/postgres.js';
import { printTable, target, type Target } from './lib/report.js';
import { startServer } from './lib/server.js';

interface Probe {
  name: string;
  path: string;
  panel?: boolean;
}

const PROBES: Probe[] = [
  { name: 'REST stats/overview', path: '/api/v1/contact/stats/overview' },
  { name: 'panel dashboard data', path: '/admin/api/dashboard', panel: true },
];

const label = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

async function measureReads(
  env: BenchEnv,
  count: number,
  durationSec: number,
  connections: number,
): Promise<Map<string, LoadResult>> {
  const { url } = await ensureSeededDatabase(env, count);
  const creds = await createBenchAdmin(url);
  const server = await startServer({ databaseUrl: url });
  const results = new Map<string, LoadResult>();
  try {
    const auth = { authorization: `Bearer ${await fetchToken(server.url, creds)}` };
    const panel = { cookie: await panelLogin(server.url, creds) };
    for (const probe of PROBES) {
      const headers = probe.panel ? panel : auth;
      const check = await fetch(server.url + probe.path, { headers });
      if (check.status !== 200) throw new Error(`${probe.name}: ${check.status} ${(await check.text()).slice(0, 300)}`);
      await check.arrayBuffer();
      await runLoad({ url: server.url + probe.path, headers, connections, amount: 40 });
      const r = await runLoad({ url: server.url + probe.path, headers, connections, durationSec });
      results.set(probe.name, r);
      env.log(
        `${label(count)} · ${probe.name}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, ${r.rps.toFixed(0)} req/s`,
      );
    }
  } finally {
    await server.stop();
  }
  return results;
}

let n = 0;
const submitBody = () => {
  n++;
  return JSON.stringify({
    name: `Bench Customer ${n}`,
    email: `customer${n}@bench.example.com`,
    subject: `Cannot log in (attempt ${n})`,
    message: 'Hello, since yesterday the login page says my password is wrong. I reset it twice already. Thanks!',
    category: ['general', 'general', 'bug', 'feature', 'account'][n % 5],
  });
};

/** Submit throughput with the stats insert trigger on vs off, interleaved rounds (on, off, off, on, …). */
async function measureSubmitCost(env: BenchEnv, rounds: number, roundSec: number) {
  const dbName = 'contactdesk_bench_stats_submit';
  const url = await createMigratedDatabase(env.pg, dbName);
  const server = await startServer({ databaseUrl: url });
  const on: LoadResult[] = [];
  const off: LoadResult[] = [];
  const setTrigger = (enabled: boolean) =>
    withClient(url, (c) =>
      c.query(`ALTER TABLE contact_submissions ${enabled ? 'ENABLE' : 'DISABLE'} TRIGGER ticket_stats_insert`),
    );
  const load = (sec: number) =>
    runLoad({
      url: `${server.url}/api/v1/contact/submit`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: submitBody,
      connections: 32,
      durationSec: sec,
    });
  try {
    env.log(`submit: warm-up, then ${rounds} × ${roundSec} s with the stats trigger on and off, interleaved`);
    await load(2);
    for (let i = 0; i < rounds; i++) {
      for (const enabled of i % 2 ? [false, true] : [true, false]) {
        await setTrigger(enabled);
        (enabled ? on : off).push(await load(roundSec));
      }
    }
    await setTrigger(true);
  } finally {
    await server.stop();
    await dropDatabase(env.pg, dbName);
  }
  const rps = (rs: LoadResult[]) => rs.reduce((s, r) => s + r.rps, 0) / rs.length;
  const failed = [...on, ...off].reduce((s, r) => s + r.non2xx + r.errors, 0);
  return { on, off, rpsOn: rps(on), rpsOff: rps(off), ratio: rps(on) / rps(off), failed };
}

async function measureAllReads(env: BenchEnv, small: number, large: number, durationSec: number, connections: number) {
  const targets: Target[] = [];
  const a = await measureReads(env, small, durationSec, connections);
  const b = await measureReads(env, large, durationSec, connections);
  printTable(
    `Stats reads, ${connections} concurrent clients (ms): ${label(small)} vs ${label(large)} tickets`,
    [
      'request',
      `${label(small)} p50`,
      `${label(small)} p95`,
      `${label(large)} p50`,
      `${label(large)} p95`,
      `${label(large)} p99`,
      `${label(large)} req/s`,
      'ratio p95',
      'failed',
    ],
    PROBES.map((p) => {
      const x = a.get(p.name)!;
      const y = b.get(p.name)!;
      return [
        p.name,
        x.p50,
        x.p95,
        y.p50,
        y.p95,
        y.p99,
        y.rps,
        y.p95 / x.p95,
        x.non2xx + x.errors + y.non2xx + y.errors,
      ];
    }),
  );
  for (const p of PROBES) {
    const x = a.get(p.name)!;
    const y = b.get(p.name)!;
    targets.push(target('stats', `${p.name}: p95 at ${label(large)}, ${connections} clients`, y.p95, '<=', 50, ' ms'));
    targets.push(target('stats', `${p.name}: p95 ${label(large)}/${label(small)}`, y.p95 / x.p95, '<=', 2, '×'));
    targets.push(target('stats', `${p.name}: failed requests`, x.non2xx + x.errors + y.non2xx + y.errors, '<=', 0));
  }
  return { a, b, targets };
}

export async function statsBench(env: BenchEnv): Promise<BenchOutput> {
  const small = argNumber(env.args, 'small', 10_000);
  const large = argNumber(env.args, 'large', env.quick ? 100_000 : 1_000_000);
  const durationSec = argNumber(env.args, 'duration', env.quick ? 3 : 10);
  const connections = argNumber(env.args, 'connections', 4);
  const rounds = argNumber(env.args, 'rounds', env.quick ? 2 : 6);
  const roundSec = argNumber(env.args, 'round-seconds', env.quick ? 3 : 5);
  const targets: Target[] = [];
  const reads = env.args.includes('--skip-reads')
    ? null
    : await measureAllReads(env, small, large, durationSec, connections);
  if (reads) targets.push(...reads.targets);
  let submit: Awaited<ReturnType<typeof measureSubmitCost>> | null = null;
  if (!env.args.includes('--skip-submit')) {
    submit = await measureSubmitCost(env, rounds, roundSec);
    printTable(
      `Public submit, 32 connections, ${rounds} interleaved rounds of ${roundSec} s`,
      ['per-day stats insert trigger', 'req/s (mean)', 'last round p50 ms', 'last round p99 ms'],
      [
        ['off', submit.rpsOff, submit.off.at(-1)!.p50, submit.off.at(-1)!.p99],
        ['on', submit.rpsOn, submit.on.at(-1)!.p50, submit.on.at(-1)!.p99],
      ],
    );
    console.log(`submit throughput with / without the stats trigger: ${submit.ratio.toFixed(3)}×`);
    targets.push(target('stats', 'submit req/s with the stats trigger / without', submit.ratio, '>=', 0.95, '×'));
    targets.push(target('stats', 'submit failed requests', submit.failed, '<=', 0));
  }
  const toObj = (m: Map<string, LoadResult>) => Object.fromEntries(m);
  return {
    params: { small, large, durationSec, connections, rounds, roundSec },
    measurements: { ...(reads ? { [label(small)]: toObj(reads.a), [label(large)]: toObj(reads.b) } : {}), submit },
    targets,
  };
}

if (isMain(import.meta.url)) await standalone('stats', statsBench);

// Moderator reads at scale: the REST list (default view, status filter, category filter, q search,
// page 1 and page 500, sorted by assignee and by SLA due), stats/overview, and the AdminJS panel's list API with a signed-in session,
// each measured on a small (10k) and a large (1M) seeded database with one client at a time
// (latency, not throughput: the machine has 2 cores shared by client, server and PostgreSQL).
// Targets: p95 ≤ 50 ms on the large database, and large p95 ≤ 3× small p95.
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { createBenchAdmin, ensureSeededDatabase, fetchToken, panelLogin } from './lib/dataset.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { printTable, target, type Target } from './lib/report.js';
import { startServer } from './lib/server.js';

interface Probe {
  name: string;
  path: string;
  panel?: boolean;
}

const PANEL_LIST = '/admin/api/resources/tickets/actions/list';

export const PROBES: Probe[] = [
  { name: 'REST list, default view', path: '/api/v1/contact/' },
  { name: 'REST list, status=pending', path: '/api/v1/contact/?status=pending' },
  { name: 'REST list, category=bug', path: '/api/v1/contact/?category=bug' },
  { name: 'REST list, q=garcia', path: '/api/v1/contact/?q=garcia' },
  { name: 'REST list, page 500', path: '/api/v1/contact/?page=500' },
  { name: 'REST list, sorted by assignee', path: '/api/v1/contact/?ordering=assigned_to_id' },
  { name: 'REST list, sorted by SLA due', path: '/api/v1/contact/?ordering=sla_resolution_due_at' },
  { name: 'REST stats/overview', path: '/api/v1/contact/stats/overview' },
  { name: 'panel list, default', path: PANEL_LIST, panel: true },
  { name: 'panel list, status=pending', path: `${PANEL_LIST}?filters.status=pending`, panel: true },
  { name: 'panel list, category=bug', path: `${PANEL_LIST}?filters.category=bug`, panel: true },
  { name: 'panel list, q=garcia', path: `${PANEL_LIST}?filters.q=garcia`, panel: true },
  { name: 'panel list, page 500', path: `${PANEL_LIST}?page=500`, panel: true },
  { name: 'panel list, sorted by assignee', path: `${PANEL_LIST}?sortBy=assignedToId&direction=desc`, panel: true },
  {
    name: 'panel list, sorted by SLA due',
    path: `${PANEL_LIST}?sortBy=slaResolutionDueAt&direction=desc`,
    panel: true,
  },
];

async function measureDataset(env: BenchEnv, count: number, durationSec: number): Promise<Map<string, LoadResult>> {
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
      if (check.status !== 200)
        throw new Error(
          `${probe.name}: ${check.status} ${(await check.text()).slice(0, 300)}\n${server.output().slice(-3000)}`,
        );
      await check.arrayBuffer();
      // Warm-up (connection pool, plan cache, JIT), then one client for `durationSec`.
      await runLoad({ url: server.url + probe.path, headers, connections: 1, amount: 20 });
      const r = await runLoad({ url: server.url + probe.path, headers, connections: 1, durationSec });
      results.set(probe.name, r);
      env.log(`${count.toLocaleString('en-US')} rows · ${probe.name}: p95 ${r.p95.toFixed(1)} ms`);
    }
  } finally {
    await server.stop();
  }
  return results;
}

export async function listBench(env: BenchEnv): Promise<BenchOutput> {
  const small = argNumber(env.args, 'small', 10_000);
  const large = argNumber(env.args, 'large', env.quick ? 100_000 : 1_000_000);
  const durationSec = argNumber(env.args, 'duration', env.quick ? 2 : 5);
  const a = await measureDataset(env, small, durationSec);
  const b = await measureDataset(env, large, durationSec);
  const label = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
  const rows = PROBES.map((p) => {
    const x = a.get(p.name)!;
    const y = b.get(p.name)!;
    return [p.name, x.p50, x.p95, y.p50, y.p95, y.p99, y.p95 / x.p95, y.non2xx + y.errors];
  });
  printTable(
    `Moderator reads, one client (ms): ${label(small)} vs ${label(large)} tickets`,
    [
      'request',
      `${label(small)} p50`,
      `${label(small)} p95`,
      `${label(large)} p50`,
      `${label(large)} p95`,
      `${label(large)} p99`,
      'ratio p95',
      'failed',
    ],
    rows,
  );
  const targets: Target[] = [];
  for (const p of PROBES) {
    const x = a.get(p.name)!;
    const y = b.get(p.name)!;
    targets.push(target('list', `${p.name}: p95 at ${label(large)}`, y.p95, '<=', 50, ' ms'));
    targets.push(target('list', `${p.name}: p95 ${label(large)}/${label(small)}`, y.p95 / x.p95, '<=', 3, '×'));
  }
  const toObj = (m: Map<string, LoadResult>) => Object.fromEntries(m);
  return {
    params: { small, large, durationSec, connections: 1 },
    measurements: { [label(small)]: toObj(a), [label(large)]: toObj(b) },
    targets,
  };
}

if (isMain(import.meta.url)) await standalone('list', listBench);

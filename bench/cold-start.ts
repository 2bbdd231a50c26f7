// Cold start: time from spawning the compiled server (`node dist/src/server.js`, what `npm start`
// runs) to /readyz = 200, median of N runs (default 5), against
//   1. an existing, already migrated database (DATABASE_URL), and
//   2. the zero-configuration default: DATABASE_URL unset, DATA_DIR holding an embedded cluster
//      created by a first (untimed) start.
// Target: ≤ 2 s with an existing database.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { summarise } from './lib/load.js';
import { freePort } from './lib/net.js';
import { createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { startServer, type ServerOptions } from './lib/server.js';

async function timeStarts(runs: number, opts: () => Promise<ServerOptions>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const server = await startServer({ ...(await opts()), readyTimeoutMs: 120_000 });
    times.push(server.readyMs);
    await server.stop();
  }
  return times;
}

const median = (xs: number[]) => summarise(xs).p50;

export async function coldStartBench(env: BenchEnv): Promise<BenchOutput> {
  const runs = argNumber(env.args, 'runs', 5);
  const dbName = 'contactdesk_bench_coldstart';
  const url = await createMigratedDatabase(env.pg, dbName);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'contactdesk-bench-data-'));
  await chmod(dataDir, 0o755);
  const external: number[] = [];
  const embedded: number[] = [];
  let first: number[];
  try {
    const embeddedOpts = async (): Promise<ServerOptions> => ({
      env: { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) },
    });
    env.log('embedded default: first start (initdb + migrations + first admin), not part of the target');
    first = await timeStarts(1, embeddedOpts);
    // The first start on the external database creates the first admin too: also untimed.
    await timeStarts(1, async () => ({ databaseUrl: url }));
    env.log(`${runs} starts of each kind, interleaved (so background noise hits both alike)`);
    for (let i = 0; i < runs; i++) {
      external.push(...(await timeStarts(1, async () => ({ databaseUrl: url }))));
      embedded.push(...(await timeStarts(1, embeddedOpts)));
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await dropDatabase(env.pg, dbName);
  }

  const row = (name: string, xs: number[]) => [name, xs.length, median(xs), Math.min(...xs), Math.max(...xs)];
  printTable(
    'Cold start: spawn → /readyz 200 (ms)',
    ['database', 'runs', 'median', 'min', 'max'],
    [
      row('DATABASE_URL, already migrated', external),
      row('embedded (DATA_DIR), existing cluster', embedded),
      row('embedded, very first start (initdb)', first),
    ],
  );
  return {
    params: { runs },
    measurements: {
      externalMs: external,
      embeddedMs: embedded,
      embeddedFirstStartMs: first[0],
      externalMedianMs: median(external),
      embeddedMedianMs: median(embedded),
    },
    targets: [
      target('cold-start', 'existing database: median spawn → ready', median(external), '<=', 2000, ' ms'),
      target('cold-start', 'embedded default: median spawn → ready', median(embedded), '<=', 2000, ' ms'),
    ],
  };
}

if (isMain(import.meta.url)) await standalone('cold-start', coldStartBench);

// CSV export of every ticket (default 1M): the REST export (GET /api/v1/contact/export.csv?
// include_archived=true, streamed by the real server) vs psql's \copy of the same columns, joins
// and order to stdout, on the same database in the same run. Both outputs are read to the end by
// this process. The server's peak RSS during the export comes from /proc/<pid>/status (VmHWM,
// reset just before the export; VmRSS sampled every 50 ms as a cross-check).
// Targets: ≥ 0.4× psql \copy throughput; peak RSS ≤ 200 MB.
import { spawn } from 'node:child_process';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { createBenchAdmin, ensureSeededDatabase, fetchToken } from './lib/dataset.js';
import { withClient } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { startServer } from './lib/server.js';

// The export's own SELECT (src/contact/contact.export.ts), columns in the file's order.
export const COPY_SQL = `SELECT t.ticket_number, t.created_at, t.updated_at, t.status, t.category, t.name, t.email,
  t.subject, t.message, au.name, au.email::text, t.resolved_at, ru.name, ru.email::text, t.resolution_notes,
  t.admin_notes, su.email::text, t.id
FROM contact_submissions t
LEFT JOIN users au ON au.id = t.assigned_to_id
LEFT JOIN users ru ON ru.id = t.resolved_by_id
LEFT JOIN users su ON su.id = t.user_id
ORDER BY t.created_at DESC, t.id DESC`;

async function psqlCopy(url: string): Promise<{ seconds: number; bytes: number }> {
  const t0 = performance.now();
  const child = spawn(
    'psql',
    [url, '-X', '-q', '-c', `\\copy (${COPY_SQL.replace(/\n/g, ' ')}) to stdout csv header`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let bytes = 0;
  let err = '';
  child.stdout.on('data', (c: Buffer) => (bytes += c.length));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`psql failed (${code}): ${err}`);
  return { seconds: (performance.now() - t0) / 1000, bytes };
}

export async function exportBench(env: BenchEnv): Promise<BenchOutput> {
  const count = argNumber(env.args, 'count', env.quick ? 100_000 : 1_000_000);
  const { url } = await ensureSeededDatabase(env, count);
  const creds = await createBenchAdmin(url);
  const total = await withClient(url, async (c) => {
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM contact_submissions');
    return rows[0]!.n;
  });

  env.log(`psql \\copy of ${total.toLocaleString('en-US')} rows`);
  await psqlCopy(url); // warm the cache the same way for both
  const copy = await psqlCopy(url);

  const server = await startServer({ databaseUrl: url });
  let exp: { seconds: number; bytes: number; status: number };
  let peakRssMb: number;
  let sampledMaxRssMb = 0;
  let rssBeforeMb: number;
  try {
    const token = await fetchToken(server.url, creds);
    rssBeforeMb = await server.rssMb();
    await server.resetPeakRss();
    const sampler = setInterval(() => {
      void server.rssMb().then((mb) => (sampledMaxRssMb = Math.max(sampledMaxRssMb, mb)));
    }, 50);
    env.log('REST export.csv');
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/v1/contact/export.csv?include_archived=true`, {
      headers: { authorization: `Bearer ${token}` },
    });
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
    exp = { seconds: (performance.now() - t0) / 1000, bytes, status: res.status };
    clearInterval(sampler);
    peakRssMb = await server.peakRssMb();
  } finally {
    await server.stop();
  }
  const exported = await withClient(url, async (c) => {
    const { rows } = await c.query<{ n: number | null }>(
      'SELECT row_count AS n FROM csv_exports ORDER BY started_at DESC LIMIT 1',
    );
    return rows[0]?.n ?? NaN;
  });

  const ratio = copy.seconds / exp.seconds;
  printTable(
    `CSV export of ${total.toLocaleString('en-US')} tickets`,
    ['exporter', 'seconds', 'rows/s', 'MB', 'peak RSS MB', 'RSS growth MB'],
    [
      ['psql \\copy (same SELECT) to stdout csv', copy.seconds, total / copy.seconds, copy.bytes / 2 ** 20, null, null],
      [
        'GET /api/v1/contact/export.csv',
        exp.seconds,
        exported / exp.seconds,
        exp.bytes / 2 ** 20,
        peakRssMb,
        peakRssMb - rssBeforeMb,
      ],
    ],
  );
  console.log(
    `throughput ratio export/copy: ${ratio.toFixed(2)}×; server RSS before ${rssBeforeMb.toFixed(0)} MB, ` +
      `peak (VmHWM) ${peakRssMb.toFixed(0)} MB, sampled max ${sampledMaxRssMb.toFixed(0)} MB; rows exported ${exported}`,
  );
  return {
    params: { count },
    measurements: {
      rows: total,
      rowsExported: exported,
      copy,
      export: exp,
      ratio,
      rssBeforeMb,
      peakRssMb,
      sampledMaxRssMb,
    },
    targets: [
      target('export', 'throughput vs psql \\copy', ratio, '>=', 0.4, '×'),
      target('export', 'server peak RSS during export', peakRssMb, '<=', 200, ' MB'),
      target('export', 'rows exported = rows in table', exported, '>=', total),
    ],
  };
}

if (isMain(import.meta.url)) await standalone('export', exportBench);

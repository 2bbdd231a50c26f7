// Panel page weight: bytes on the wire for a cold load of the panel (/admin, the dashboard) in a
// real Chromium with an empty cache, signed in, with the server in its DEFAULT mode (NODE_ENV
// unset: what `npm start` on a fresh clone runs, and where AdminJS used to serve its development
// bundles). Bytes are CDP's encodedDataLength per response (headers + compressed body as they
// crossed the socket); the uncompressed size of the same responses is the same-run baseline.
// Then a reload shows what the long-lived Cache-Control saves. Target: cold load ≤ 3 MB.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createBenchAdmin, panelLogin } from './lib/dataset.js';
import { isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { APP_ROOT, startServer } from './lib/server.js';

const TARGET_BYTES = 3_000_000;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface Load {
  requests: number;
  wireBytes: number;
  decodedBytes: number;
  jsWireBytes: number;
  jsDecodedBytes: number;
  jsEncodings: string[];
}

/** Loads `url` and sums what CDP saw for every response of the page load. */
async function measureLoad(page: Page, url: string, reload = false): Promise<Load> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const info = new Map<string, { js: boolean; encoding: string; decoded: number }>();
  const done: Array<{ id: string; wire: number }> = [];
  cdp.on('Network.responseReceived', (e) => {
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    info.set(e.requestId, {
      js: /javascript/.test(e.response.mimeType),
      encoding: String(headers['content-encoding'] ?? 'identity'),
      decoded: 0,
    });
  });
  cdp.on('Network.dataReceived', (e) => {
    const r = info.get(e.requestId);
    if (r) r.decoded += e.dataLength;
  });
  cdp.on('Network.loadingFinished', (e) => done.push({ id: e.requestId, wire: e.encodedDataLength }));
  if (reload) await page.reload({ waitUntil: 'networkidle' });
  else await page.goto(url, { waitUntil: 'networkidle' });
  await page.getByTestId('dashboard').waitFor();
  await cdp.detach();
  const load: Load = { requests: 0, wireBytes: 0, decodedBytes: 0, jsWireBytes: 0, jsDecodedBytes: 0, jsEncodings: [] };
  for (const { id, wire } of done) {
    const r = info.get(id);
    load.requests++;
    load.wireBytes += wire;
    load.decodedBytes += r?.decoded ?? 0;
    if (r?.js) {
      load.jsWireBytes += wire;
      load.jsDecodedBytes += r.decoded;
      if (wire > 0 && !load.jsEncodings.includes(r.encoding)) load.jsEncodings.push(r.encoding);
    }
  }
  return load;
}

/** What the default mode used to send: AdminJS's three development bundles, as files on disk. */
function developmentBundleBytes(): number {
  const req = createRequire(path.join(APP_ROOT, 'package.json'));
  const adminjs = path.dirname(req.resolve('adminjs'));
  const ds = path.join(path.dirname(req.resolve('@adminjs/design-system')), '..');
  const files = [
    path.join(adminjs, 'lib/frontend/assets/scripts/app-bundle.development.js'),
    path.join(adminjs, 'lib/frontend/assets/scripts/global-bundle.development.js'),
    path.join(ds, 'bundle.development.js'),
  ];
  return files.filter((f) => existsSync(f)).reduce((sum, f) => sum + statSync(f).size, 0);
}

const mb = (bytes: number) => Math.round((bytes / 1e6) * 100) / 100;

export async function panelWeightBench(env: BenchEnv): Promise<BenchOutput> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`chromium not found at ${executablePath}: apt-get install chromium`);
  const dbName = 'contactdesk_bench_panelweight';
  const url = await createMigratedDatabase(env.pg, dbName);
  const creds = await createBenchAdmin(url);
  // NODE_ENV unset: the default mode (benchServerEnv sets production otherwise).
  const server = await startServer({ databaseUrl: url, env: { NODE_ENV: undefined } });
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  let cold: Load;
  let warm: Load;
  try {
    const cookie = await panelLogin(server.url, creds);
    const [name, value] = cookie.split('=') as [string, string];
    // A new context has an empty HTTP cache: the first load is cold.
    const context = await browser.newContext();
    await context.addCookies([{ name, value, url: `${server.url}/admin` }]);
    const page = await context.newPage();
    env.log('cold load of /admin (empty cache, signed in)');
    cold = await measureLoad(page, `${server.url}/admin`);
    env.log('reload (warm cache)');
    warm = await measureLoad(page, `${server.url}/admin`, true);
    await context.close();
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
    await dropDatabase(env.pg, dbName);
  }
  const devBytes = developmentBundleBytes();
  const ratio = cold.decodedBytes / Math.max(1, cold.wireBytes);
  printTable(
    'Panel page weight, default mode (MB; wire = CDP encodedDataLength)',
    ['load', 'requests', 'wire', 'uncompressed', 'JS wire', 'JS uncompressed', 'JS encodings'],
    [
      [
        'cold (empty cache)',
        cold.requests,
        mb(cold.wireBytes),
        mb(cold.decodedBytes),
        mb(cold.jsWireBytes),
        mb(cold.jsDecodedBytes),
        cold.jsEncodings.join(' '),
      ],
      [
        'reload (warm cache)',
        warm.requests,
        mb(warm.wireBytes),
        mb(warm.decodedBytes),
        mb(warm.jsWireBytes),
        mb(warm.jsDecodedBytes),
        warm.jsEncodings.join(' ') || '-',
      ],
    ],
  );
  env.log(
    `cold load: ${mb(cold.wireBytes)} MB on the wire vs target ${mb(TARGET_BYTES)} MB; ` +
      `uncompressed ${mb(cold.decodedBytes)} MB (${ratio.toFixed(1)}× the wire); ` +
      `AdminJS development bundles the default mode used to send: ${mb(devBytes)} MB uncompressed ` +
      `(${(devBytes / Math.max(1, cold.wireBytes)).toFixed(1)}× today's cold load)`,
  );
  return {
    params: { mode: 'default (NODE_ENV unset)', page: '/admin' },
    measurements: {
      cold,
      warm,
      uncompressedToWireRatio: Math.round(ratio * 100) / 100,
      developmentBundleBytes: devBytes,
    },
    targets: [target('panel-weight', 'cold panel load, bytes on the wire', cold.wireBytes, '<=', TARGET_BYTES, ' B')],
  };
}

if (isMain(import.meta.url)) await standalone('panel-weight', panelWeightBench);

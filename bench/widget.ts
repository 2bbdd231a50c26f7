// The embeddable form (issue 13): bundle size, time to interactive on a cold load, and the cost
// of the widget's submit path. Same run, same machine, against baselines:
//   - TTI: a page with <contactdesk-form> (script from the desk, config fetched cross-origin) vs
//     the same site's plain HTML <form> posting to the desk, each in a fresh browser context
//     (empty cache), medians of --runs loads.
//   - submit: POST /api/v1/contact/submit as the widget sends it (Origin on ALLOWED_ORIGINS, so
//     the CORS check runs, plus a fresh Idempotency-Key, so the key is claimed and recorded) vs
//     the plain JSON submit, interleaved A/B/A/B so drift hits both.
// Targets: bundle ≤ 25 kB gzipped; widget-path throughput ≥ 0.9× plain JSON.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { chromium } from 'playwright-core';
import { findChromium } from '../tests/helpers/browser.js';
import { listen, plainFormPage, websiteHandler } from '../tests/widget/widget-helpers.js';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { summarise, type LoadResult } from './lib/load.js';
import { freePort } from './lib/net.js';
import { createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { startServer } from './lib/server.js';

let n = 0;
const body = () =>
  JSON.stringify({
    name: `Widget Customer ${++n}`,
    email: `w${n}@bench.example.com`,
    subject: `Question ${n}`,
    message: 'Hello, where is my order? It was due yesterday.',
    category: 'general',
    lang: 'en',
  });

/**
 * runLoad's recording, with per-request headers. Both paths go through this one function (the
 * load generator shares the machine's two cores: it must cost the same for both), and both make
 * a key; only the widget path sends it, with its Origin.
 */
async function submitLoad(
  url: string,
  widget: { origin: string; key: boolean } | null,
  durationSec: number,
  connections: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration: durationSec,
        requests: [
          {
            setupRequest: (req) => {
              const key = randomBytes(16).toString('hex');
              const headers: Record<string, string> = { 'content-type': 'application/json' };
              if (widget) headers.origin = widget.origin;
              if (widget?.key) headers['idempotency-key'] = key;
              return { ...req, headers, body: body() };
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    inst.on('response', (_c: unknown, status: number, _b: number, ms: number) => {
      latencies.push(ms);
      if (status < 200 || status > 299) non2xx++;
    });
  });
  return {
    requests: latencies.length,
    rps: latencies.length / result.duration,
    ...summarise(latencies),
    errors: result.errors + result.timeouts,
    non2xx,
    durationSec: result.duration,
  };
}

const TTI_PROBE = `
  document.addEventListener('DOMContentLoaded', () => {
    if (!document.querySelector('contactdesk-form')) window.__tti ??= performance.now();
  });
  new MutationObserver(() => {
    if (document.querySelector('contactdesk-form[ready]')) window.__tti ??= performance.now();
  }).observe(document, { subtree: true, attributes: true, childList: true });
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function widgetBench(env: BenchEnv): Promise<BenchOutput> {
  const runs = argNumber(env.args, 'runs', env.quick ? 5 : 11);
  const durationSec = argNumber(env.args, 'duration', env.quick ? 4 : 5);
  const connections = argNumber(env.args, 'connections', 32);
  const rounds = argNumber(env.args, 'rounds', env.quick ? 2 : 6);
  const dbName = 'contactdesk_bench_widget';
  const url = await createMigratedDatabase(env.pg, dbName);
  const sitePort = await freePort();
  const siteOrigin = `http://127.0.0.1:${sitePort}`;
  const server = await startServer({ databaseUrl: url, env: { ALLOWED_ORIGINS: siteOrigin } });
  const desk = server.url;
  const site = await listen((req, res) => {
    if (req.url === '/plain') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(plainFormPage(desk));
    }
    return websiteHandler(desk, { '/widget': { lang: 'en', body: '<contactdesk-form></contactdesk-form>' } })(req, res);
  }, sitePort);
  try {
    // Size as served: the gzip body and the raw file.
    const gz = await fetch(`${desk}/widget.js`, { headers: { 'accept-encoding': 'gzip' } });
    const gzipBytes = Number(gz.headers.get('content-length'));
    const rawBytes = (
      await (await fetch(`${desk}/widget.js`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer()
    ).byteLength;

    const executablePath = findChromium();
    let tti = { widget: NaN, plain: NaN };
    if (executablePath) {
      const browser = await chromium.launch({
        executablePath,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
      try {
        const times = { widget: [] as number[], plain: [] as number[] };
        for (let i = 0; i < runs + 1; i++) {
          // Alternate which page goes first, so neither always gets the warmer browser.
          const order = i % 2 ? (['widget', 'plain'] as const) : (['plain', 'widget'] as const);
          for (const kind of order) {
            // A new context = an empty HTTP cache: every load is cold.
            const context = await browser.newContext();
            // Stamped inside the page (performance.now() from navigation start): the plain form is
            // usable at DOMContentLoaded; the widget once it set [ready] (config loaded, rendered).
            // A string, not a function: tsx would inject its __name helper into a serialised function.
            await context.addInitScript(TTI_PROBE);
            const page = await context.newPage();
            await page.goto(`${siteOrigin}/${kind}`);
            const ms = (await (await page.waitForFunction('window.__tti')).jsonValue()) as number;
            if (i > 0) times[kind].push(ms); // the first round warms the server and the browser
            await context.close();
          }
        }
        tti = { widget: median(times.widget), plain: median(times.plain) };
      } finally {
        await browser.close();
      }
    } else env.log('chromium not found: time to interactive not measured');

    const submitUrl = `${desk}/api/v1/contact/submit`;
    const plainLoad = (sec = durationSec) => submitLoad(submitUrl, null, sec, connections);
    const widgetLoad = (sec = durationSec) =>
      submitLoad(submitUrl, { origin: siteOrigin, key: true }, sec, connections);
    // Diagnostic: the CORS check alone, to tell its cost from the key's.
    const originLoad = (sec = durationSec) =>
      submitLoad(submitUrl, { origin: siteOrigin, key: false }, sec, connections);
    env.log(`submit: warm-up, then ${rounds} × ${durationSec} s per path, interleaved, ${connections} connections`);
    await plainLoad(2);
    await widgetLoad(2);
    const plain: LoadResult[] = [];
    const widget: LoadResult[] = [];
    const originOnly: LoadResult[] = [];
    // Tickets pile up during the run (bigger indexes, slower inserts): the order alternates
    // (A B C, C B A, …) so that no path always runs on the emptier database.
    const runsOf = [
      () => plainLoad().then((r) => plain.push(r)),
      () => widgetLoad().then((r) => widget.push(r)),
      () => originLoad().then((r) => originOnly.push(r)),
    ];
    for (let i = 0; i < rounds; i++) {
      for (const run of i % 2 ? [...runsOf].reverse() : runsOf) await run();
    }
    const rps = (rs: LoadResult[]) => rs.reduce((s, r) => s + r.rps, 0) / rs.length;
    const ratio = rps(widget) / rps(plain);
    const failed = [...plain, ...widget].reduce((s, r) => s + r.non2xx + r.errors, 0);

    printTable('Widget bundle', ['file', 'raw kB', 'gzip kB'], [['/widget.js', rawBytes / 1024, gzipBytes / 1024]]);
    printTable(
      'Time to interactive, cold load (median)',
      ['page', 'ms'],
      [
        ['plain HTML form (baseline)', tti.plain],
        ['<contactdesk-form>', tti.widget],
      ],
    );
    // req/s: mean over the rounds; latencies: the last round's; failures: all rounds.
    const row = (name: string, rs: LoadResult[]) => [
      name,
      rps(rs),
      rs.at(-1)!.p50,
      rs.at(-1)!.p99,
      rs.reduce((n, r) => n + r.non2xx + r.errors, 0),
    ];
    printTable(
      'Submit throughput',
      ['path', 'req/s', 'p50 ms', 'p99 ms', 'failed'],
      [
        row('plain JSON (baseline)', plain),
        row('widget: Origin + Idempotency-Key', widget),
        row('(diagnostic) Origin only, no key', originOnly),
      ],
    );
    console.log(
      `widget/plain throughput ${ratio.toFixed(2)}×, TTI widget/plain ${(tti.widget / tti.plain).toFixed(2)}×`,
    );
    return {
      params: { runs, durationSec, connections, rounds },
      measurements: { rawBytes, gzipBytes, tti, plain, widget, originOnly, ratio },
      targets: [
        target('widget', 'bundle gzipped', gzipBytes / 1024, '<=', 25, ' kB'),
        target('widget', 'submit throughput widget path vs plain JSON', ratio, '>=', 0.9, '×'),
        target('widget', 'failed submits', failed, '<=', 0),
      ],
    };
  } finally {
    await site.close();
    await server.stop();
    await dropDatabase(env.pg, dbName);
  }
}

if (isMain(import.meta.url)) await standalone('widget', widgetBench);

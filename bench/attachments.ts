// Attachments (issue 12): memory and throughput of uploads, speed of downloads. Same run, same
// machine, against baselines:
//   - memory: one 25 MB file streamed through POST /api/v1/contact/submit; the server's peak RSS
//     (VmHWM) during it minus its RSS before. Target ≤ 20 MB (nothing buffers the whole file).
//   - upload throughput: N (200) concurrent 1 MB multipart submits, product vs a bare busboy + pg
//     INSERT server (this file run with --baseline-server: the same 256 KB chunks into one table,
//     one transaction per request; no hashing, sniffing, ticket, dedupe or mails). Alternated
//     A/B/A/B. Target ≥ 0.5×.
//   - download: a 10 MB file through GET /api/v1/attachments/:id (Bearer) vs reading the same
//     chunks with plain pg in this process, MB/s over several reads each. Target ≥ 0.5×.
//   npm run bench:attachments [-- --uploads 200 --rounds 2 --quick]
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import busboy from 'busboy';
import pg from 'pg';
import { createBenchAdmin, fetchToken } from './lib/dataset.js';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { freePort, waitForStatus } from './lib/net.js';
import { createMigratedDatabase, dropDatabase, withClient } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { startServer } from './lib/server.js';

const MB = 1024 * 1024;
const CHUNK = 256 * 1024;
const BASELINE_FLAG = '--baseline-server';

// ---------------------------------------------------------------- the baseline upload server
async function runBaselineServer(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_baseline_chunks (upload uuid, seq int, data bytea, PRIMARY KEY (upload, seq))',
  );
  const server = http.createServer((req, res) => {
    if (req.url === '/readyz') return void res.end('ok');
    void (async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await new Promise<void>((resolve, reject) => {
          const bb = busboy({ headers: req.headers });
          let work = Promise.resolve();
          bb.on('file', (_name, stream) => {
            work = work.then(async () => {
              const upload = randomUUID();
              let seq = 0;
              let pending: Buffer[] = [];
              let bytes = 0;
              const flush = async () => {
                const data = Buffer.concat(pending, bytes);
                pending = [];
                bytes = 0;
                await client.query('INSERT INTO bench_baseline_chunks (upload, seq, data) VALUES ($1, $2, $3)', [
                  upload,
                  seq++,
                  data,
                ]);
              };
              for await (const piece of stream as AsyncIterable<Buffer>) {
                pending.push(piece);
                bytes += piece.length;
                if (bytes >= CHUNK) await flush();
              }
              if (bytes) await flush();
            });
          });
          bb.on('field', () => {});
          bb.on('close', () => void work.then(resolve, reject));
          bb.on('error', reject);
          req.pipe(bb);
        });
        await client.query('COMMIT');
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        res.writeHead(500).end(String(err));
      } finally {
        client.release();
      }
    })();
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    void pool.end().then(() => process.exit(0));
  });
}

async function startBaseline(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, BASELINE_FLAG], {
    cwd: path.dirname(path.dirname(self)),
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  await waitForStatus(`${url}/readyz`, { timeoutMs: 30_000, isAlive: () => child.exitCode === null });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exit;
    },
  };
}

// ---------------------------------------------------------------- the client side
/**
 * One multipart submit, written to the socket piece by piece: the form fields, the file part's
 * head with a unique 32-byte prefix (so no two uploads share content), then `size` bytes taken
 * from `payload` repeatedly (the client holds one buffer, not every body).
 */
function postMultipart(url: string, size: number, payload: Buffer): Promise<number> {
  const boundary = `----cdbench${randomBytes(8).toString('hex')}`;
  const fields = { name: 'Bench Uploader', email: 'upload@bench.example.com', subject: 'Scan', message: 'Attached.' };
  let head = '';
  for (const [k, v] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="scan.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const prefix = Buffer.concat([Buffer.from('CDSK\0'), randomBytes(27)]);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = Buffer.byteLength(head) + size + tail.length;
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.write(head);
    req.write(prefix);
    let left = size - prefix.length;
    const pump = () => {
      while (left > 0) {
        const piece = payload.subarray(0, Math.min(left, payload.length));
        left -= piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

async function concurrentUploads(url: string, count: number, size: number, payload: Buffer) {
  const started = performance.now();
  const statuses = await Promise.all(Array.from({ length: count }, () => postMultipart(url, size, payload)));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSec: count / seconds, failed: statuses.filter((s) => s !== 201).length };
}

async function download(url: string, token: string): Promise<number> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  let bytes = 0;
  for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) bytes += piece.length;
  if (res.status !== 200) throw new Error(`download: ${res.status}`);
  return bytes;
}

// ---------------------------------------------------------------- the benchmark
export async function attachmentsBench(env: BenchEnv): Promise<BenchOutput> {
  const uploads = argNumber(env.args, 'uploads', env.quick ? 50 : 200);
  const rounds = argNumber(env.args, 'rounds', env.quick ? 1 : 2);
  const reads = argNumber(env.args, 'reads', env.quick ? 3 : 8);
  const dbName = 'bench_attachments';
  const dbUrl = await createMigratedDatabase(env.pg, dbName);
  const server = await startServer({
    databaseUrl: dbUrl,
    env: {
      ATTACHMENT_MAX_BYTES: String(30 * MB),
      ATTACHMENT_MAX_TOTAL_BYTES: String(30 * MB),
      ...(process.env.BENCH_SERVER_POOL ? { DB_POOL_SIZE: process.env.BENCH_SERVER_POOL } : {}),
    },
  });
  const baseline = await startBaseline(dbUrl);
  const payload = randomBytes(MB);
  try {
    const submit = `${server.url}/api/v1/contact/submit`;
    // Warm-up: connections, JIT, the first chunk inserts.
    await concurrentUploads(submit, 10, MB, payload);
    await concurrentUploads(`${baseline.url}/upload`, 10, MB, payload);

    // 1. Memory during one 25 MB upload.
    const rssBefore = await server.rssMb();
    await server.resetPeakRss();
    const status = await postMultipart(submit, 25 * MB, payload);
    if (status !== 201) throw new Error(`25 MB upload answered ${status}`);
    const rssGrowth = (await server.peakRssMb()) - rssBefore;
    env.log(`25 MB upload: RSS ${rssBefore.toFixed(1)} MB before, +${rssGrowth.toFixed(1)} MB peak`);

    // 2. Concurrent 1 MB uploads, alternated.
    const product: number[] = [];
    const bare: number[] = [];
    let failed = 0;
    for (let r = 0; r < rounds; r++) {
      const a = await concurrentUploads(submit, uploads, MB, payload);
      const b = await concurrentUploads(`${baseline.url}/upload`, uploads, MB, payload);
      env.log(`round ${r + 1}: product ${a.perSec.toFixed(1)}/s, baseline ${b.perSec.toFixed(1)}/s`);
      product.push(a.perSec);
      bare.push(b.perSec);
      failed += a.failed + b.failed;
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const uploadRatio = mean(product) / mean(bare);

    // 3. A 10 MB download vs plain pg reading the same chunks.
    const tenMb = await fetch(submit, {
      method: 'POST',
      body: (() => {
        const fd = new FormData();
        for (const [k, v] of Object.entries({
          name: 'Big',
          email: 'big@bench.example.com',
          subject: 'Big',
          message: 'x',
        }))
          fd.append(k, v);
        fd.append(
          'attachments',
          new Blob([new Uint8Array(Buffer.concat(Array.from({ length: 10 }, () => randomBytes(MB))))]),
          'big.bin',
        );
        return fd;
      })(),
    });
    const { attachments } = (await tenMb.json()) as { attachments: Array<{ id: string }> };
    const creds = await createBenchAdmin(dbUrl);
    const token = await fetchToken(server.url, creds);
    const fileUrl = `${server.url}/api/v1/attachments/${attachments[0]!.id}`;
    await download(fileUrl, token);
    const chunkSet = await withClient(dbUrl, async (c) => {
      const { rows } = await c.query(
        `SELECT b.chunk_set FROM attachments a JOIN attachment_blobs b ON b.sha256 = a.sha256 WHERE a.id = $1`,
        [attachments[0]!.id],
      );
      return rows[0].chunk_set as string;
    });
    const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
    const plainRead = async () => {
      const { rows } = await pool.query<{ data: Buffer }>(
        'SELECT data FROM attachment_chunks WHERE chunk_set = $1 ORDER BY seq',
        [chunkSet],
      );
      return rows.reduce((n, r) => n + r.data.length, 0);
    };
    await plainRead();
    const time = async (fn: () => Promise<number>) => {
      const t0 = performance.now();
      let bytes = 0;
      for (let i = 0; i < reads; i++) bytes += await fn();
      return bytes / MB / ((performance.now() - t0) / 1000);
    };
    // Alternated halves so drift hits both.
    const dl1 = await time(() => download(fileUrl, token));
    const pg1 = await time(plainRead);
    const dl2 = await time(() => download(fileUrl, token));
    const pg2 = await time(plainRead);
    await pool.end();
    const downloadMbs = (dl1 + dl2) / 2;
    const plainMbs = (pg1 + pg2) / 2;
    const downloadRatio = downloadMbs / plainMbs;

    printTable(
      'Attachments',
      ['measure', 'product', 'baseline', 'ratio'],
      [
        ['25 MB upload: peak RSS growth (MB)', rssGrowth.toFixed(1), '—', '—'],
        [
          `${uploads} concurrent 1 MB uploads (/s)`,
          mean(product).toFixed(1),
          mean(bare).toFixed(1),
          `${uploadRatio.toFixed(2)}×`,
        ],
        ['10 MB download (MB/s)', downloadMbs.toFixed(0), plainMbs.toFixed(0), `${downloadRatio.toFixed(2)}×`],
      ],
    );
    console.log(
      `upload throughput product/baseline ${uploadRatio.toFixed(2)}×, download product/plain pg ${downloadRatio.toFixed(2)}×, 25 MB upload RSS +${rssGrowth.toFixed(1)} MB`,
    );
    return {
      params: { uploads, rounds, reads },
      measurements: { rssBefore, rssGrowth, product, bare, uploadRatio, downloadMbs, plainMbs, downloadRatio, failed },
      targets: [
        target('attachments', '25 MB upload: server RSS growth', rssGrowth, '<=', 20, ' MB'),
        target('attachments', 'concurrent 1 MB uploads vs busboy + pg baseline', uploadRatio, '>=', 0.5, '×'),
        target('attachments', '10 MB download vs plain pg read', downloadRatio, '>=', 0.5, '×'),
        target('attachments', 'failed uploads', failed, '<=', 0),
      ],
    };
  } finally {
    await baseline.stop();
    await server.stop();
    await dropDatabase(env.pg, dbName);
  }
}

if (process.argv.includes(BASELINE_FLAG)) await runBaselineServer();
else if (isMain(import.meta.url)) await standalone('attachments', attachmentsBench);

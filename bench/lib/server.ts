// Runs the real product as a child process (the compiled build, exactly what `npm start` runs),
// bound to 127.0.0.1 on a free port, and waits until /readyz answers 200.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForStatus } from './net.js';
import { summariseProfile } from './profile.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The product checkout to benchmark: this one, or BENCH_APP_ROOT (e.g. an export of another commit
 * with node_modules linked in, to compare two versions with the same bench code).
 */
export const APP_ROOT = process.env.BENCH_APP_ROOT ? path.resolve(process.env.BENCH_APP_ROOT) : ROOT;
export const SERVER_ENTRY = path.join(APP_ROOT, 'dist/src/server.js');

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

let built = false;
/** Same rule as scripts/start.mjs: rebuild when a source is newer than the last build. */
export function ensureBuild(log: (m: string) => void = console.log): void {
  if (built) return;
  built = true;
  const stamp = path.join(APP_ROOT, 'dist', '.build-stamp');
  const sources = ['src', 'admin', 'widget/src', 'scripts', 'prisma/schema.prisma', 'package.json'].map((p) =>
    path.join(APP_ROOT, p),
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  log('building ContactDesk (npm run build) ...');
  const res = spawnSync('npm', ['run', '--silent', 'build'], { cwd: APP_ROOT, stdio: 'inherit' });
  if (res.status !== 0) {
    if (!existsSync(SERVER_ENTRY)) throw new Error('npm run build failed and there is no previous build');
    log('warning: npm run build reported errors; benchmarking the emitted dist/ anyway');
  }
}

export interface ServerOptions {
  /** Unset → the product's embedded PostgreSQL (DATA_DIR decides where). */
  databaseUrl?: string;
  env?: Record<string, string | undefined>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  pid: number;
  child: ChildProcess;
  /** ms from spawn to /readyz = 200. */
  readyMs: number;
  /** Peak resident set size (VmHWM) in MB since start or since the last resetPeakRss(). */
  peakRssMb(): Promise<number>;
  rssMb(): Promise<number>;
  resetPeakRss(): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/** Environment every benchmarked server gets: production mode, quiet logs, no rate limit. */
export function benchServerEnv(port: number, opts: ServerOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'TEST_DATABASE_URL', 'BENCH_DATABASE_URL', 'SMTP_URL', 'ADMIN_NOTIFY_EMAILS'])
    delete env[k];
  Object.assign(env, {
    NODE_ENV: 'production',
    SESSION_SECRET: randomBytes(24).toString('hex'),
    MAIL_SIGNING_SECRET: randomBytes(24).toString('hex'),
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    WORKER_INLINE: 'false',
  });
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  ensureBuild();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spawned = performance.now();
  // BENCH_CPU_PROF=<dir>: every server runs under the V8 profiler; a summary prints when it stops.
  const profDir = process.env.BENCH_CPU_PROF
    ? path.resolve(process.env.BENCH_CPU_PROF, `server-${Date.now()}`)
    : undefined;
  const profArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const child = spawn(process.execPath, [...profArgs, ...(opts.nodeArgs ?? []), SERVER_ENTRY], {
    cwd: APP_ROOT,
    env: benchServerEnv(port, opts),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  try {
    await waitForStatus(`${url}/readyz`, {
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      isAlive: () => !exited,
      intervalMs: 10,
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`server did not become ready: ${(err as Error).message}\n${out}`, { cause: err });
  }
  const readyMs = performance.now() - spawned;
  const pid = child.pid!;
  return {
    url,
    pid,
    child,
    readyMs,
    peakRssMb: () => procStatusMb(pid, 'VmHWM'),
    rssMb: () => procStatusMb(pid, 'VmRSS'),
    // Writing 5 to clear_refs resets the peak RSS counter (Linux ≥ 4.0).
    resetPeakRss: () => writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => {}),
    output: () => out,
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
      if (profDir) await printProfile(profDir);
    },
  };
}

async function printProfile(dir: string): Promise<void> {
  const { readdir } = await import('node:fs/promises');
  for (const file of await readdir(dir).catch(() => [] as string[])) {
    const s = await summariseProfile(path.join(dir, file), 15);
    console.log(
      `\nCPU profile ${path.join(dir, file)}: ${(s.totalMs - s.idleMs).toFixed(0)} ms busy of ${s.totalMs.toFixed(0)} ms`,
    );
    for (const f of s.topSelf) console.log(`  self ${f.pct.toFixed(1).padStart(5)} %  ${f.fn}`);
    for (const f of s.topInclusiveFiles) console.log(`  incl ${f.pct.toFixed(1).padStart(5)} %  ${f.file}`);
  }
}

export async function procStatusMb(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) / 1024 : NaN;
}

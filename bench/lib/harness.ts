// What every benchmark shares: the PostgreSQL to use, the --quick flag, and how a benchmark file
// runs on its own (`npm run bench:submit`) or as part of `npm run bench`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchPostgres, type BenchPostgres } from './postgres.js';
import { machineInfo, printTargets, writeResult, type BenchResult, type Target } from './report.js';
import { ensureBuild } from './server.js';

export interface BenchEnv {
  pg: BenchPostgres;
  quick: boolean;
  args: string[];
  log(msg: string): void;
}

export interface BenchOutput {
  params: Record<string, unknown>;
  measurements: unknown;
  targets: Target[];
}

export type BenchFn = (env: BenchEnv) => Promise<BenchOutput>;

export function log(msg: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

export function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

export function argNumber(args: string[], name: string, fallback: number): number {
  const v = argValue(args, name);
  if (v === undefined) return fallback;
  const n = Number(v.replaceAll('_', ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got ${v}`);
  return n;
}

export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);
}

/** Runs one benchmark, writes bench/results/<name>.json, returns its targets. */
export async function runBench(name: string, fn: BenchFn, env: BenchEnv): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  env.log(`=== ${name} ===`);
  const out = await fn(env);
  const result: BenchResult = {
    name,
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench:${name} --${env.quick ? ' --quick' : ''}`,
    machine: machineInfo(env.pg.version),
    params: { quick: env.quick, ...out.params },
    measurements: out.measurements,
    targets: out.targets,
  };
  const file = await writeResult(result);
  printTargets(out.targets);
  env.log(`results written to ${path.relative(process.cwd(), file)}`);
  return result;
}

/**
 * Entry point of a benchmark file run directly: own PostgreSQL, then exit. `build: false` for
 * benchmarks that run the product in-process from source (no `dist/` server to rebuild).
 */
export async function standalone(name: string, fn: BenchFn, opts: { build?: boolean } = {}): Promise<void> {
  const args = process.argv.slice(2);
  if (opts.build ?? true) ensureBuild(log);
  const pg = await startBenchPostgres(log);
  let code = 0;
  try {
    await runBench(name, fn, { pg, quick: args.includes('--quick'), args, log });
  } catch (err) {
    console.error(err);
    code = 1;
  } finally {
    await pg.stop().catch((e) => console.error('stopping PostgreSQL failed', e));
  }
  process.exit(code);
}

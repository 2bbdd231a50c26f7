// Tables on stdout and bench/results/<name>.json (machine, parameters, measurements, targets).
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './server.js';

export interface Target {
  bench: string;
  name: string;
  actual: number;
  op: '>=' | '<=';
  limit: number;
  unit: string;
  met: boolean;
  note?: string;
}

export function target(bench: string, name: string, actual: number, op: '>=' | '<=', limit: number, unit = ''): Target {
  const met = Number.isFinite(actual) && (op === '>=' ? actual >= limit : actual <= limit);
  return { bench, name, actual, op, limit, unit, met };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  os: string;
  postgres?: string;
  commit?: string;
}

export function machineInfo(postgres?: string): MachineInfo {
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    commit = undefined;
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    postgres,
    commit,
  };
}

export interface BenchResult {
  name: string;
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: MachineInfo;
  params: Record<string, unknown>;
  measurements: unknown;
  targets: Target[];
}

export async function writeResult(result: BenchResult): Promise<string> {
  const dir = path.join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${result.name}.json`);
  await writeFile(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

type Cell = string | number | undefined | null;

export function fmt(v: Cell, digits = 1): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v) && Math.abs(v) < 1000) return String(v);
  if (!Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

export function printTable(title: string, headers: string[], rows: Cell[][]): void {
  const cells = rows.map((r) => r.map((c) => fmt(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(
    '|' + widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|') + '|',
  );
  for (const r of cells) console.log(line(r));
}

export function printTargets(targets: Target[]): void {
  printTable(
    'Targets',
    ['bench', 'target', 'actual', 'limit', 'result'],
    targets.map((t) => [
      t.bench,
      t.name,
      `${fmt(t.actual, 2)}${t.unit}`,
      `${t.op} ${fmt(t.limit, 2)}${t.unit}`,
      t.met ? 'met' : `MISSED${t.note ? ` (${t.note})` : ''}`,
    ]),
  );
}

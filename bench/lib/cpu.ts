// CPU time, for the benchmarks whose rate on a shared 2-core machine follows the CPU each message
// costs (bench/email.ts, bench/inbound.ts): steadier than the wall clock, and it says which
// process the difference comes from. Read from /proc, so PostgreSQL counts only when it runs on
// this machine (0 otherwise).
import { readFile } from 'node:fs/promises';
import type pg from 'pg';

/** utime + stime of a process so far, in ms (fields 14 and 15 of proc(5), clock ticks of 10 ms). */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.length > 13 ? (Number(fields[11]) + Number(fields[12])) * 10 : 0;
}

export interface CpuMark {
  /** This process. */
  node: number;
  /** Other processes by name (a server or receiver the bench started). */
  procs: Record<string, number>;
  /** CPU ms of each PostgreSQL backend connected to the bench database, by pid. */
  pg: Map<number, number>;
}

export async function cpuNow(pool: pg.Pool, dbName: string, procs: Record<string, number> = {}): Promise<CpuMark> {
  const { user, system } = process.cpuUsage();
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName]);
  const backends = new Map<number, number>();
  for (const { pid } of rows) backends.set(pid, await processCpuMs(pid));
  const named: Record<string, number> = {};
  for (const [name, pid] of Object.entries(procs)) named[name] = await processCpuMs(pid);
  return { node: (user + system) / 1000, procs: named, pg: backends };
}

/** CPU ms spent between two marks: this process, each named process, PostgreSQL (backends of either mark). */
export function cpuSince(a: CpuMark, b: CpuMark): { node: number; procs: Record<string, number>; pg: number } {
  const procs: Record<string, number> = {};
  for (const [name, ms] of Object.entries(b.procs)) procs[name] = ms - (a.procs[name] ?? 0);
  return {
    node: b.node - a.node,
    procs,
    pg: [...b.pg].reduce((sum, [pid, ms]) => sum + ms - (a.pg.get(pid) ?? 0), 0),
  };
}

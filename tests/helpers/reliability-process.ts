// A real worker process (`node --import tsx src/worker.ts`, what `npm run worker` runs) for the
// fault suite: started with its own environment, watched through its JSON log lines, killed with
// SIGKILL when a test says so.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WorkerProcess {
  child: ChildProcess;
  /** graphile's worker pool id (what `locked_by` says on the jobs this process holds). */
  poolId: string;
  /** The last few KB the process wrote to stderr (where Node reports an uncaught error). */
  stderr(): string;
  /** How the process ended, or undefined while it runs. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGKILL, resolved once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful), resolved once the process is gone. */
  stop(): Promise<void>;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

export async function spawnWorkerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/worker.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4_000)));
  // RELIABILITY_WORKER_LOG=<file> keeps the process's log lines for a case that misbehaves.
  if (process.env.RELIABILITY_WORKER_LOG) child.stdout!.pipe(createWriteStream(process.env.RELIABILITY_WORKER_LOG));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.once('exit', (code, signal) => (exit = { code, signal }));
  const poolId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker process did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited (${code}) during start-up:\n${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; workerPool?: string };
        if (entry.msg === 'worker started' && entry.workerPool) {
          clearTimeout(timer);
          resolve(entry.workerPool);
        }
      } catch {
        /* not a log line */
      }
    });
  });
  return {
    child,
    poolId,
    stderr: () => stderr,
    exit: () => exit,
    async kill9() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

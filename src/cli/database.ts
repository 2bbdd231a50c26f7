// Which database the CLI talks to. With DATABASE_URL, that one. Without it, the embedded
// PostgreSQL in DATA_DIR — which cannot run twice on one data folder: when the server already
// runs it, the CLI connects to that instance; only when nothing runs on the folder and nothing
// answers on EMBEDDED_PG_PORT does the CLI start it itself (and stop it again when done).
//
// Every way this can go wrong is a wrong or missing variable, so each ends in a one-line
// CliError naming the variable to set, never a stack trace. In particular the CLI never uses a
// server on EMBEDDED_PG_PORT that is not this folder's cluster: it would migrate and write into
// someone else's database (a system PostgreSQL, another checkout's embedded one).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config.js';
import { ensureDatabase, isProcessAlive } from '../db/embedded.js';
import { embeddedDataDir, resolveDatabase, type ResolvedDatabase } from '../db/resolve.js';
import type { Logger } from '../logger.js';
import { CliError, EXIT_FAILURE } from './errors.js';

const EMBEDDED_DATABASE = 'contactdesk';

// Same credentials as src/db/embedded.ts (loopback only).
const embeddedUrl = (port: number, database: string) => `postgresql://postgres:postgres@localhost:${port}/${database}`;

type Probe = 'ok' | 'no-database' | 'refused' | { error: string };

async function probe(url: string): Promise<Probe> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return 'ok';
  } catch (err) {
    const { code, message } = err as { code?: string; message?: string };
    // 3D000: the server is up but its database was not created yet.
    if (code === '3D000') return 'no-database';
    if (code === 'ECONNREFUSED') return 'refused';
    return { error: message || code || String(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The port of a live postmaster on this cluster folder, from the postmaster.pid it keeps. */
function runningPort(clusterDir: string): number | undefined {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine = '', , , portLine = ''] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine.trim());
  const port = Number(portLine.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return undefined; // stale file
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

const fail = (message: string) => new CliError(message, EXIT_FAILURE);

/** "EMBEDDED_PG_PORT=54329 (the default)" or "EMBEDDED_PG_PORT=38111". */
function portSetting(config: Config): string {
  const explicit = (process.env.EMBEDDED_PG_PORT ?? '').trim() !== '';
  return `EMBEDDED_PG_PORT=${config.EMBEDDED_PG_PORT}${explicit ? '' : ' (the default)'}`;
}

async function openDatabaseUrl(config: Config, logger: Logger): Promise<ResolvedDatabase> {
  const result = await probe(config.DATABASE_URL!);
  if (result !== 'ok') {
    // Host and database only: the URL may hold a password.
    const u = new URL(config.DATABASE_URL!);
    throw fail(`Cannot connect to DATABASE_URL (${u.host}${u.pathname}): ${describe(result)}. Check DATABASE_URL.`);
  }
  return resolveDatabase(config, logger);
}

export async function openCliDatabase(
  config: Config,
  logger: Logger,
  note: (msg: string) => void,
): Promise<ResolvedDatabase> {
  if (config.DATABASE_URL) return openDatabaseUrl(config, logger);
  const port = config.EMBEDDED_PG_PORT;
  const { dir } = embeddedDataDir(config);

  // The server (or another command) already runs this folder's cluster: use it, on its port.
  const running = runningPort(dir);
  if (running !== undefined && running !== port) {
    throw fail(
      `The embedded PostgreSQL of DATA_DIR=${config.DATA_DIR} runs on port ${running}, but ${portSetting(config)}: ` +
        `set EMBEDDED_PG_PORT=${running} (as for npm start), or DATABASE_URL.`,
    );
  }
  const url = embeddedUrl(port, EMBEDDED_DATABASE);
  const state = await probe(url);
  if (running !== undefined) {
    if (state === 'no-database') await ensureDatabase(embeddedUrl(port, 'postgres'), EMBEDDED_DATABASE);
    else if (state !== 'ok') {
      throw fail(`Cannot connect to the embedded PostgreSQL on ${portSetting(config)}: ${describe(state)}.`);
    }
    return { url, embedded: true, stop: async () => {} };
  }
  if (state !== 'refused') {
    throw fail(
      `Port ${port} (${portSetting(config)}) is in use by another server, not the embedded PostgreSQL of ` +
        `DATA_DIR=${config.DATA_DIR}: set EMBEDDED_PG_PORT to the port npm start uses (or a free one), or DATABASE_URL.`,
    );
  }
  note(`(no server running: starting the embedded PostgreSQL in ${config.DATA_DIR} for this command)`);
  try {
    return await resolveDatabase(config, logger);
  } catch (err) {
    // Its message may carry the server log's last lines: the first line says what failed.
    const first = ((err as Error).message ?? String(err)).split('\n')[0];
    throw fail(
      `Cannot start the embedded PostgreSQL on ${portSetting(config)}: ${first} Set EMBEDDED_PG_PORT or DATABASE_URL.`,
    );
  }
}

function describe(state: Exclude<Probe, 'ok'>): string {
  if (state === 'refused') return 'connection refused';
  if (state === 'no-database') return 'no such database';
  return state.error;
}

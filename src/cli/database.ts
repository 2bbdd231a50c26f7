// Which database the CLI talks to. With DATABASE_URL, that one. Without it, the embedded
// PostgreSQL in DATA_DIR — which cannot run twice on one data folder: when the server already
// runs it, the CLI connects to that instance; only when nothing answers on EMBEDDED_PG_PORT does
// the CLI start it itself (and stop it again when the command is done).
import pg from 'pg';
import type { Config } from '../config.js';
import { ensureDatabase } from '../db/embedded.js';
import { resolveDatabase, type ResolvedDatabase } from '../db/resolve.js';
import type { Logger } from '../logger.js';

const EMBEDDED_DATABASE = 'contactdesk';

// Same credentials as src/db/embedded.ts (loopback only).
const embeddedUrl = (port: number, database: string) => `postgresql://postgres:postgres@localhost:${port}/${database}`;

async function tryConnect(url: string): Promise<'ok' | 'no-database' | 'unreachable'> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return 'ok';
  } catch (err) {
    // 3D000: the server is up but its database was not created yet.
    return (err as { code?: string }).code === '3D000' ? 'no-database' : 'unreachable';
  } finally {
    await client.end().catch(() => {});
  }
}

export async function openCliDatabase(
  config: Config,
  logger: Logger,
  note: (msg: string) => void,
): Promise<ResolvedDatabase> {
  if (config.DATABASE_URL) return resolveDatabase(config, logger);
  const port = config.EMBEDDED_PG_PORT;
  const url = embeddedUrl(port, EMBEDDED_DATABASE);
  const state = await tryConnect(url);
  if (state === 'no-database') await ensureDatabase(embeddedUrl(port, 'postgres'), EMBEDDED_DATABASE);
  if (state !== 'unreachable') return { url, embedded: true, stop: async () => {} };
  note(`(no server running: starting the embedded PostgreSQL in ${config.DATA_DIR} for this command)`);
  return resolveDatabase(config, logger);
}

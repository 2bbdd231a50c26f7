// DATABASE_URL if set; otherwise the embedded PostgreSQL in DATA_DIR/postgres.
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded.js';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function resolveDatabase(config: Config, logger: Logger): Promise<ResolvedDatabase> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const dataDir = path.join(config.DATA_DIR, 'postgres');
  logger.info({ dataDir, port: config.EMBEDDED_PG_PORT }, 'DATABASE_URL not set: starting embedded PostgreSQL');
  const pg = await startEmbeddedPostgres({
    dataDir,
    port: config.EMBEDDED_PG_PORT,
    database: 'contactdesk',
    // server.ts stops it last on SIGINT/SIGTERM, after the HTTP server and the pool.
    detached: true,
    log: (msg) => logger.info(msg),
  });
  return { url: pg.url, embedded: true, stop: pg.stop };
}

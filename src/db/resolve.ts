// DATABASE_URL if set; otherwise the embedded PostgreSQL in DATA_DIR/postgres.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded.js';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** True when every existing ancestor of `dir` can be entered by any user (the x bit for others). */
function enterableByOthers(dir: string): boolean {
  for (let p = path.dirname(dir); ; p = path.dirname(p)) {
    try {
      if ((statSync(p).mode & 0o001) === 0) return false;
    } catch {
      /* not created yet: mkdir will make it 0755 */
    }
    if (p === path.dirname(p)) return true;
  }
}

/**
 * Where the embedded cluster lives. As root, PostgreSQL runs as the `postgres` OS user (initdb
 * refuses root), which cannot enter a checkout under a private home folder such as /root. Rather
 * than fail, the cluster then lives under /var/lib/contactdesk/<hash of DATA_DIR> (stable per
 * checkout, so a second start reuses it), and the start-up log says so.
 */
export function embeddedDataDir(config: Config): { dir: string; relocated: boolean } {
  const preferred = path.resolve(config.DATA_DIR, 'postgres');
  if (process.getuid?.() !== 0 || enterableByOthers(preferred)) return { dir: preferred, relocated: false };
  const key = createHash('sha256').update(preferred).digest('hex').slice(0, 12);
  return { dir: path.join('/var/lib/contactdesk', key, 'postgres'), relocated: true };
}

export async function resolveDatabase(config: Config, logger: Logger): Promise<ResolvedDatabase> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  const { dir: dataDir, relocated } = embeddedDataDir(config);
  if (relocated) {
    logger.warn(
      { dataDir, wanted: path.resolve(config.DATA_DIR, 'postgres') },
      'the postgres OS user cannot enter DATA_DIR (running as root under a private folder): keeping the embedded database here instead',
    );
  }
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

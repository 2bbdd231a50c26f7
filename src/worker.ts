// `npm run worker`: the mail worker alone, for deployments that run web instances with
// WORKER_INLINE=false. Needs the database the web instances use: DATABASE_URL, or the embedded
// PostgreSQL that a running `npm start` (same DATA_DIR / EMBEDDED_PG_PORT) has already started.
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { AppContext } from './context.js';
import { migrate, readMigrationFiles } from './db/migrate.js';
import { startImapPoller } from './inbound/imap-poller.js';
import { createWorkerDb, startWorker } from './jobs/worker.js';
import { createLogger } from './logger.js';
import pg from 'pg';

/** The embedded server's URL as src/db/embedded.ts creates it (loopback only). */
function embeddedUrl(config: Config): string {
  return `postgresql://postgres:postgres@localhost:${config.EMBEDDED_PG_PORT}/contactdesk`;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function main() {
  const config = loadConfig();
  const logger = createLogger(config);
  let url = config.DATABASE_URL;
  if (!url) {
    url = embeddedUrl(config);
    if (!(await reachable(url))) {
      throw new ConfigError(
        `The worker needs a database: set DATABASE_URL, or start ContactDesk (npm start) first so its embedded PostgreSQL runs on port ${config.EMBEDDED_PG_PORT}.`,
      );
    }
    logger.info({ port: config.EMBEDDED_PG_PORT }, 'DATABASE_URL not set: using the running embedded PostgreSQL');
  }
  // Idempotent and serialised by an advisory lock: safe next to web instances doing the same.
  await migrate(url, { log: (m) => logger.info(m) });
  const db = createWorkerDb(url, config);
  const ctx: AppContext = { config, db, logger, clock: systemClock, migrationFiles: await readMigrationFiles() };
  const worker = await startWorker(ctx);
  // The web instances run WORKER_INLINE=false, so the mailbox is polled here (off when unset).
  const poller = config.INBOUND_IMAP_URL ? await startImapPoller(ctx) : undefined;

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'worker shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await poller?.stop();
    await worker.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`ContactDesk worker failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});

// Starts the whole product: database (embedded or DATABASE_URL), migrations, web app, and the
// mail worker unless WORKER_INLINE=false. Ctrl-C / SIGTERM stop everything cleanly.
import type { Server } from 'node:http';
import { mountAdmin, preloadAdmin } from '../admin/index.js';
import { buildApp } from './app.js';
import { bootstrapAdmin, DEFAULT_ADMIN_EMAIL } from './auth/bootstrap.js';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig } from './config.js';
import type { AppContext } from './context.js';
import { createDb } from './db/client.js';
import { migrate, readMigrationFiles } from './db/migrate.js';
import { resolveDatabase } from './db/resolve.js';
import { startInlineWorker } from './jobs/worker.js';
import { startImapPoller } from './inbound/imap-poller.js';
import { startSmtpReceiver } from './inbound/smtp-receiver.js';
import { createLogger } from './logger.js';

// What start-up has brought up so far, stopped in reverse order on a signal — or when start-up
// fails halfway, so an embedded PostgreSQL started before the failure is not left running.
const stoppers: Array<() => Promise<unknown>> = [];
let shuttingDown = false;
async function stopAll(log: (err: unknown) => void): Promise<void> {
  for (const stop of stoppers.reverse()) await stop().catch(log);
}

async function main() {
  const config = loadConfig();
  const logger = createLogger(config);
  // The panel's imports take about a second: let them overlap the database start.
  preloadAdmin(config);
  const started = Date.now();
  const database = await resolveDatabase(config, logger);
  stoppers.push(database.stop);
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await stopAll((err) => logger.error({ err }, 'error during shutdown'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const migrations = await migrate(database.url, { log: (m) => logger.info(m) });
  const db = createDb(database.url, { max: config.DB_POOL_SIZE, applicationName: 'contactdesk-web' });
  stoppers.push(() => db.close());
  const ctx: AppContext = {
    config,
    db,
    logger,
    clock: systemClock,
    migrationFiles: await readMigrationFiles(),
  };

  // Before listening: the first start must leave someone able to sign in.
  await bootstrapAdmin(ctx);
  const app = await buildApp(ctx, { mountAdmin });
  // Express 5 calls back with the error (e.g. EADDRINUSE) instead of throwing: fail the start.
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  stoppers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // After the app listens; stopped first on shutdown (running mail jobs finish before the db closes).
  // The inline worker gets a pool of its own (WORKER_DB_POOL_SIZE): a mail backlog must not take
  // the web's connections (DB_POOL_SIZE).
  if (config.WORKER_INLINE) {
    const worker = await startInlineWorker(ctx, database.url);
    stoppers.push(() => worker.stop());
    // IMAP polling goes with the worker (npm run worker when WORKER_INLINE=false); one instance
    // polls a mailbox at a time, the others find its advisory lock taken.
    if (config.INBOUND_IMAP_URL) {
      const poller = await startImapPoller(ctx);
      stoppers.push(() => poller.stop());
    }
  }
  // Inbound mail over SMTP (an MX record or a relay), off unless INBOUND_SMTP_PORT is set. It only
  // stores the raw mail (250 after COMMIT, 451 when the database is down); a worker processes it.
  if (config.INBOUND_SMTP_PORT !== undefined) {
    const receiver = await startSmtpReceiver(ctx);
    stoppers.push(() => receiver.stop());
  }

  const base = config.publicUrl;
  logger.info(
    {
      ms: Date.now() - started,
      database: database.embedded ? 'embedded' : 'DATABASE_URL',
      migrationsApplied: migrations.applied.length,
    },
    'ContactDesk is ready',
  );
  process.stdout.write(
    `\nContactDesk is running\n` +
      `  Admin panel    ${base}/admin   (sign in as ${config.ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL}: ADMIN_PASSWORD or the ` +
      `password printed at first start; more users: npm run cli -- users:create)\n` +
      `  Public submit  POST ${base}/api/v1/contact/submit\n` +
      `  API reference  ${base}/api/docs\n` +
      `  Health         ${base}/healthz  ${base}/readyz\n\n`,
  );
}

main().catch(async (err) => {
  // A signal during start-up: its shutdown is stopping what was started (the rest of start-up
  // then fails on the closed database); let it finish and exit 0.
  if (shuttingDown) return;
  shuttingDown = true;
  await stopAll(() => {});
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`ContactDesk failed to start: ${(err as Error | undefined)?.stack ?? String(err)}\n`);
  }
  process.exit(1);
});

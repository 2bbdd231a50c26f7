// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or to the embedded PostgreSQL
// in DATA_DIR when DATABASE_URL is not set) and says what it did. The app does the same at start;
// this is for deploy pipelines that migrate before rolling out new instances.
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { migrate, MigrationError } from './migrate.js';
import { resolveDatabase } from './resolve.js';

async function main(): Promise<number> {
  const config = loadConfig();
  // Progress goes to stdout as plain lines below; the logger only reports problems.
  const logger = createLogger({ ...config, LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const database = await resolveDatabase(config, logger);
  try {
    const where = database.embedded ? `embedded PostgreSQL in ${config.DATA_DIR}` : 'DATABASE_URL';
    const result = await migrate(database.url);
    for (const name of result.applied) process.stdout.write(`applied  ${name}\n`);
    process.stdout.write(
      result.applied.length
        ? `${result.applied.length} migration(s) applied to ${where}; ${result.alreadyApplied.length} were already applied.\n`
        : `Database is up to date (${result.alreadyApplied.length} migration(s) applied, none pending) on ${where}.\n`,
    );
    return 0;
  } finally {
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Messages name the variable, migration or process at fault; a stack would only hide them.
    const message = err instanceof Error ? err.message : String(err);
    const known = err instanceof ConfigError || err instanceof MigrationError;
    process.stderr.write(`${known ? message : `Migration failed: ${message}`}\n`);
    process.exit(1);
  },
);

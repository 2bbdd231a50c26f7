// Operator command line: `npm run cli -- <command> [options]` (see `help`). Parses and checks the
// command first, then opens the same database the server uses, applies pending migrations and
// runs the command through the user services. Messages go to stderr, results to stdout.
import { pino } from 'pino';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig } from './config.js';
import type { AppContext } from './context.js';
import { createDb } from './db/client.js';
import { migrate } from './db/migrate.js';
import { helpText, parseCommandLine } from './cli/commands.js';
import { openCliDatabase } from './cli/database.js';
import { describeError, EXIT_FAILURE, EXIT_OK } from './cli/errors.js';

const note = (msg: string) => process.stderr.write(`${msg}\n`);

async function main(argv: string[]): Promise<number> {
  const parsed = await parseCommandLine(argv);
  if (parsed === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return EXIT_OK;
  }
  const config = loadConfig();
  // Warnings only, and on stderr: stdout carries the command's result for scripts.
  const logger = pino({ level: 'warn', base: undefined }, pino.destination({ fd: 2, sync: true }));
  const database = await openCliDatabase(config, logger, note);
  const db = createDb(database.url, { max: 2 });
  try {
    await migrate(database.url, { log: note });
    const ctx: AppContext = { config, db, logger, clock: systemClock, migrationFiles: [] };
    await parsed.command.run(ctx, parsed.values, { out: (line) => process.stdout.write(`${line}\n`) });
    return EXIT_OK;
  } finally {
    await db.close();
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof ConfigError) {
      note(err.message);
      process.exit(EXIT_FAILURE);
    }
    const { message, exitCode } = describeError(err);
    note(`Error: ${message}`);
    process.exit(exitCode);
  },
);

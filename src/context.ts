// What every part of the app is given: built once in server.ts (or a test) and passed down.
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { MigrationFile } from './db/migrate.js';
import type { Logger } from './logger.js';

export interface AppContext {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  /** Migration files known to this build; /readyz checks they are all applied. */
  migrationFiles: MigrationFile[];
}

// Builds a real app against a fresh database for one test file.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { buildApp, type BuildAppOptions } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { createDb } from '../../src/db/client.js';
import { readMigrationFiles } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from './db.js';

/** A clock tests can move: `clock.set(...)`, `clock.advance(ms)`. */
export class TestClock implements Clock {
  private current: Date;
  constructor(start: Date | string = new Date()) {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(d: Date | string) {
    this.current = new Date(d);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestApp {
  ctx: AppContext;
  app: Express;
  database: TestDatabase;
  clock: Clock;
  close(): Promise<void>;
}

export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  // Generous limits so ordinary tests never trip them; rate-limit tests set their own.
  RATE_LIMIT_PER_MINUTE: '100000',
  RATE_LIMIT_PER_HOUR: '100000',
  RATE_LIMIT_SITE_PER_HOUR: '1000000',
  SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
  MAIL_SIGNING_SECRET: 'test-mail-signing-secret-long-enough-0123456789',
  INBOUND_ADDRESS: 'support@desk.test',
  PUBLIC_URL: 'http://localhost:3000',
};

export function testConfig(env: Record<string, string> = {}, databaseUrl?: string): Config {
  return loadConfig({ ...TEST_ENV, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env });
}

export async function createTestApp(
  opts: { env?: Record<string, string>; clock?: Clock; build?: BuildAppOptions; database?: TestDatabase } = {},
): Promise<TestApp> {
  const database = opts.database ?? (await createTestDatabase());
  const config = testConfig(opts.env, database.url);
  const db = createDb(database.url, { max: 20 });
  const clock = opts.clock ?? { now: () => new Date() };
  const ctx: AppContext = {
    config,
    db,
    logger: createLogger(config),
    clock,
    migrationFiles: await readMigrationFiles(),
  };
  const app = await buildApp(ctx, opts.build);
  return {
    ctx,
    app,
    database,
    clock,
    async close() {
      await db.close();
      if (!opts.database) await database.drop();
    },
  };
}

export interface ListeningApp {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The app on a free loopback port, for clients that need a real socket (a browser, fetch, raw TCP). */
export async function listenOnLoopback(app: Express): Promise<ListeningApp> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

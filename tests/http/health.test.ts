import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import type { AppContext } from '../../src/context.js';
import { createDb, type Db } from '../../src/db/client.js';
import { readMigrationFiles } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { createTestApp, testConfig, type TestApp } from '../helpers/app.js';
import { createEmptyDatabase, withAdminClient, type TestDatabase } from '../helpers/db.js';

const valid = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Hello', message: 'Something broke' };

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** An app like createTestApp's, but against any database URL (even one that does not answer). */
async function appFor(url: string): Promise<{ app: Express; ctx: AppContext; db: Db }> {
  const config = testConfig({}, url);
  const db = createDb(url, { connectionTimeoutMillis: 2000 });
  const ctx: AppContext = {
    config,
    db,
    logger: createLogger(config),
    clock: { now: () => new Date() },
    migrationFiles: await readMigrationFiles(),
  };
  return { app: await buildApp(ctx), ctx, db };
}

describe('health endpoints on a migrated database', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when the process runs, then /healthz answers 200', async () => {
    const res = await request(t.app).get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  test('when the database is reachable and fully migrated, then /readyz answers 200', async () => {
    const res = await request(t.app).get('/readyz').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  test('when this build has a migration the database lacks, then /readyz answers 503 naming it', async () => {
    const future = { name: '29990101000000_not_yet_applied', sql: 'SELECT 1', checksum: 'x' };
    t.ctx.migrationFiles.push(future);
    try {
      const res = await request(t.app).get('/readyz').expect(503);
      assert.equal(res.body.status, 'unavailable');
      assert.equal(res.body.reason, 'migrations pending');
      assert.deepEqual(res.body.pending, [future.name]);
      await request(t.app).get('/healthz').expect(200);
    } finally {
      t.ctx.migrationFiles.pop();
    }
    await request(t.app).get('/readyz').expect(200);
  });

  test('when the database stops accepting connections, then /readyz is 503 and recovers when it is back', async () => {
    const name = t.database.name;
    await withAdminClient(async (c) => {
      await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    });
    try {
      const res = await request(t.app).get('/readyz').expect(503);
      assert.equal(res.body.reason, 'database unreachable');
      await request(t.app).get('/healthz').expect(200);
      const submit = await request(t.app).post('/api/v1/contact/submit').send(valid);
      assert.equal(submit.status, 503, JSON.stringify(submit.body));
      assert.equal(submit.body.error.code, 'service_unavailable');
      assert.ok(Number(submit.headers['retry-after']) > 0);
    } finally {
      await withAdminClient((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
    }
    await request(t.app).get('/readyz').expect(200);
  });
});

describe('health endpoints when the database server is down', () => {
  let down: Awaited<ReturnType<typeof appFor>>;
  before(async () => {
    down = await appFor(`postgresql://postgres:postgres@127.0.0.1:${await closedPort()}/contactdesk`);
  });
  after(() => down.db.close());

  test('when nothing listens on the database port, then /readyz is 503 and /healthz still 200', async () => {
    const res = await request(down.app).get('/readyz').expect(503);
    assert.deepEqual(res.body, { status: 'unavailable', reason: 'database unreachable' });
    await request(down.app).get('/healthz').expect(200);
  });

  test('when a visitor submits while the database is down, then 503 with Retry-After, not 500', async () => {
    const res = await request(down.app).post('/api/v1/contact/submit').send(valid).expect(503);
    assert.equal(res.body.error.code, 'service_unavailable');
    assert.ok(Number(res.headers['retry-after']) > 0);
  });
});

describe('health endpoints on a database that was never migrated', () => {
  let empty: TestDatabase;
  let t: Awaited<ReturnType<typeof appFor>>;
  before(async () => {
    empty = await createEmptyDatabase();
    t = await appFor(empty.url);
  });
  after(async () => {
    await t.db.close();
    await empty.drop();
  });

  test('when no migration was applied, then /readyz is 503 listing every migration as pending', async () => {
    const res = await request(t.app).get('/readyz').expect(503);
    assert.equal(res.body.reason, 'migrations pending');
    assert.deepEqual(
      res.body.pending,
      t.ctx.migrationFiles.map((f) => f.name),
    );
  });
});

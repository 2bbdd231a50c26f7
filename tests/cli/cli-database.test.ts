// Which database the CLI opens without DATABASE_URL, as real CLI processes: the embedded
// PostgreSQL of DATA_DIR, on EMBEDDED_PG_PORT. When the variables do not match what runs, the CLI
// must say in one line which variable to set, and never fall back to whatever server answers on
// the port (it would migrate and write into someone else's database).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { runCli, type CliResult } from './run-cli.js';
import { freePort } from '../helpers/ports.js';

/** Exit 1 with exactly one line on stderr that matches every pattern, and no stack trace. */
function assertOneLineError(res: CliResult, ...patterns: RegExp[]) {
  assert.equal(res.code, 1, res.stderr);
  const lines = res.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${res.stderr}`);
  assert.doesNotMatch(res.stderr, /^\s+at /m, 'no stack trace');
  for (const p of patterns) assert.match(lines[0]!, p);
}

describe('npm run cli -- without DATABASE_URL: the embedded database of DATA_DIR', () => {
  let tmp: string;
  let dataDir: string;
  let pgPort: number;
  let embedded: EmbeddedDatabase;
  const withEnv = (env: Record<string, string>) => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'contactdesk-cli-db-'));
    // As root, PostgreSQL runs as the postgres OS user, which must be able to enter the folder.
    await chmod(tmp, 0o755);
    dataDir = path.join(tmp, 'data');
    pgPort = await freePort();
    // What `npm start` leaves running: DATA_DIR's cluster on a non-default port. Attached (not
    // detached), so it also ends with this test process.
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: pgPort,
      database: 'contactdesk',
    });
  });

  after(async () => {
    await embedded?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  test('when the embedded database runs on another port than EMBEDDED_PG_PORT (set or default), then one line says which port to set', async () => {
    const [explicit, byDefault] = await Promise.all([
      runCli(withEnv({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) }), ['users:list']),
      runCli(withEnv({ DATA_DIR: dataDir }), ['users:list']),
    ]);
    const setIt = new RegExp(`set EMBEDDED_PG_PORT=${pgPort}\\b.*DATABASE_URL`);
    assertOneLineError(explicit, setIt);
    assertOneLineError(byDefault, setIt, /EMBEDDED_PG_PORT=54329 \(the default\)/);
  });

  test('when EMBEDDED_PG_PORT matches the running embedded database, then the command runs against it', async () => {
    const res = await runCli(withEnv({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) }), ['users:list']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^0 user\(s\)$/m);
  });

  test('when another server answers on EMBEDDED_PG_PORT, then one line names the variables and nothing is created', async () => {
    // Not PostgreSQL at all: accepts and hangs up.
    const notPostgres = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => notPostgres.listen(0, '127.0.0.1', r));
    const otherPort = (notPostgres.address() as net.AddressInfo).port;
    const otherDataDir = path.join(tmp, 'other');
    try {
      const [postgres, tcp] = await Promise.all([
        // A PostgreSQL, but another data folder's (here: the cluster started above).
        runCli(withEnv({ DATA_DIR: otherDataDir, EMBEDDED_PG_PORT: String(pgPort) }), ['users:list']),
        runCli(withEnv({ DATA_DIR: otherDataDir, EMBEDDED_PG_PORT: String(otherPort) }), ['users:list']),
      ]);
      assertOneLineError(
        postgres,
        new RegExp(`Port ${pgPort} .*in use by another server`),
        /EMBEDDED_PG_PORT/,
        /DATABASE_URL/,
      );
      assertOneLineError(tcp, new RegExp(`Port ${otherPort} .*in use by another server`), /EMBEDDED_PG_PORT/);
    } finally {
      await new Promise((r) => notPostgres.close(r));
    }
    assert.equal(existsSync(otherDataDir), false, 'no cluster was initialised for the other DATA_DIR');
  });

  test('when DATABASE_URL points at a port where nothing listens, then one line names DATABASE_URL and no password', async () => {
    const port = await freePort();
    const res = await runCli(withEnv({ DATABASE_URL: `postgresql://app:s3cret@127.0.0.1:${port}/contactdesk` }), [
      'users:list',
    ]);
    assertOneLineError(res, /Cannot connect to DATABASE_URL/, /connection refused/);
    assert.doesNotMatch(res.stderr, /s3cret/);
  });
});

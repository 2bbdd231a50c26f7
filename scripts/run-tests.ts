// `npm test`: provides a PostgreSQL for the test files, migrates a template database once, then
// runs node's test runner; each test file clones the template into its own database.
//   TEST_DATABASE_URL / DATABASE_URL set → that server is used (it must allow CREATE DATABASE).
//   neither set → an embedded PostgreSQL is started in a temp folder and removed afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../src/db/migrate.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';

const args = process.argv.slice(2);
const reliability = args.includes('--reliability');
const explicitFiles = args.filter((a) => !a.startsWith('--'));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function findTests(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findTests(full)));
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out.sort();
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

// Ctrl-C / SIGTERM: let the test process end, then still drop the template and stop the embedded
// server (it runs detached, so nothing else would stop it). The handlers stay installed: a wrapper
// (npm, tsx) may relay the same signal a second time, and the default action would kill this
// process before it cleans up.
let interrupted = false;
let child: ChildProcess | undefined;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  child?.kill(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

async function main() {
  const external = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  let adminUrl: string;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let tempDir: string | undefined;
  if (external) {
    adminUrl = withDatabase(external, 'postgres');
  } else {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'contactdesk-test-pg-'));
    // As root, PostgreSQL runs as the postgres OS user, which must be able to enter the folder.
    await chmod(tempDir, 0o755);
    const port = await freePort();
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'pg'),
      port,
      database: 'postgres',
      detached: true, // stopped below, also after Ctrl-C
    });
    adminUrl = embedded.adminUrl;
    stopEmbedded = embedded.stop;
  }
  const template = `contactdesk_tmpl_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  await migrate(withDatabase(adminUrl, template));

  // Default run: everything but *.slow.test.ts; --reliability: the whole fault suite.
  const all = explicitFiles.length ? explicitFiles : await findTests('tests');
  const inReliability = (f: string) => f.split(path.sep).includes('reliability');
  const selected = explicitFiles.length
    ? all
    : reliability
      ? all.filter(inReliability)
      : all.filter((f) => !f.endsWith('.slow.test.ts'));

  const code: number = interrupted
    ? 130
    : await new Promise((resolve) => {
        child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            '--test',
            '--test-reporter=spec',
            `--test-concurrency=${os.cpus().length}`,
            // A hung test fails (and the run ends) instead of holding CI until its time limit.
            `--test-timeout=${reliability ? 45 * 60_000 : 5 * 60_000}`,
            ...selected,
          ],
          {
            stdio: 'inherit',
            env: { ...process.env, TEST_PG_ADMIN_URL: adminUrl, TEST_TEMPLATE_DB: template, NODE_ENV: 'test' },
          },
        );
        child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
      });
  if (interrupted) process.stderr.write('\nTests interrupted: cleaning up the test database server...\n');

  const cleanup = new pg.Client({ connectionString: adminUrl });
  try {
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  } catch (err) {
    process.stderr.write(`could not drop the template database ${template}: ${(err as Error).message}\n`);
  } finally {
    await cleanup.end().catch(() => {});
  }
  if (stopEmbedded) await stopEmbedded();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
  process.exit(interrupted && code === 0 ? 130 : code);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

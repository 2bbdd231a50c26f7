// The real product as a newcomer runs it: `node scripts/start.mjs` (what `npm start` runs) with no
// DATABASE_URL, so it builds if needed, starts its embedded PostgreSQL, migrates and serves.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { freePort } from '../helpers/ports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The first start may compile dist/ (about 15 s on a small machine).
const READY_TIMEOUT_MS = 180_000;

/** Postgres processes whose command line names this data folder. */
function postgresPids(dataDir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('npm start (scripts/start.mjs) with the embedded database', () => {
  let tmp: string;
  let dataDir: string;
  let port: number;
  let pgPort: number;
  const children: ChildProcess[] = [];

  const baseUrl = () => `http://127.0.0.1:${port}`;
  const dbUrl = () => `postgresql://postgres:postgres@localhost:${pgPort}/contactdesk`;

  function start(extraEnv: Record<string, string> = {}): Running {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The product must pick the embedded database: drop everything the test runner points at.
    for (const k of ['DATABASE_URL', 'TEST_DATABASE_URL', 'TEST_PG_ADMIN_URL', 'TEST_TEMPLATE_DB', 'SMTP_URL'])
      delete env[k];
    Object.assign(env, {
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      EMBEDDED_PG_PORT: String(pgPort),
      LOG_LEVEL: 'warn',
      ...extraEnv,
    });
    // Its own process group, like a terminal job: Ctrl-C is a SIGINT to the whole group.
    const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env, detached: true });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, output: () => output, exit };
  }

  async function waitReady(run: Running): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (run.child.exitCode !== null || run.child.signalCode !== null) {
        assert.fail(`the product exited during start-up:\n${run.output()}`);
      }
      const res = await fetch(`${baseUrl()}/readyz`).catch(() => undefined);
      if (res?.status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.fail(`not ready within ${READY_TIMEOUT_MS / 1000} s:\n${run.output()}`);
  }

  async function submit(subject: string) {
    const res = await fetch(`${baseUrl()}/api/v1/contact/submit`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Ann', email: 'ann@example.com', subject, message: 'Hello' }),
    });
    assert.equal(res.status, 201);
    return (await res.json()) as { id: string; ticket_number: string };
  }

  async function ticketIds(): Promise<string[]> {
    const client = new pg.Client({ connectionString: dbUrl() });
    await client.connect();
    try {
      return (await client.query('SELECT id FROM contact_submissions ORDER BY ticket_number')).rows.map((r) => r.id);
    } finally {
      await client.end();
    }
  }

  /** Ctrl-C in a terminal: SIGINT to the whole process group. Or SIGTERM to the app alone, as a
   * process manager (systemd, docker stop) sends it. */
  async function stop(run: Running, how: 'ctrl-c' | 'sigterm' = 'ctrl-c') {
    if (how === 'ctrl-c') process.kill(-run.child.pid!, 'SIGINT');
    else process.kill(run.child.pid!, 'SIGTERM');
    const { code, signal } = await run.exit;
    assert.equal(signal, null, run.output());
    assert.equal(code, 0, run.output());
    assert.deepEqual(postgresPids(dataDir), [], 'no postgres process is left for the data folder');
  }

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'contactdesk-start-'));
    // As root, PostgreSQL runs as the postgres OS user, which must be able to enter the folder.
    await chmod(tmp, 0o755);
    dataDir = path.join(tmp, 'data');
    port = await freePort();
    pgPort = await freePort();
  });

  after(async () => {
    // Whatever happened, leave no process behind.
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const pid of postgresPids(dataDir)) process.kill(pid, 'SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  });

  let first: { id: string; ticket_number: string };

  test('when started on a fresh machine, then it serves submissions and Ctrl-C stops it and its database cleanly', async () => {
    const run = start();
    await waitReady(run);
    assert.match(run.output(), /POST http:\/\/localhost:\d+\/api\/v1\/contact\/submit/, 'it prints the URLs it serves');
    first = await submit('first');
    assert.match(first.ticket_number, /^CONT-\d{8}-0001$/);
    assert.ok(postgresPids(dataDir).length > 0, 'the embedded postgres runs while the app runs');
    await stop(run);
  });

  test('when started again, then it reuses the data: the first ticket is there and numbering continues', async () => {
    const run = start();
    await waitReady(run);
    const second = await submit('second');
    if (second.ticket_number.slice(0, 13) === first.ticket_number.slice(0, 13)) {
      assert.equal(second.ticket_number, first.ticket_number.replace(/-0001$/, '-0002'));
    }
    assert.deepEqual(await ticketIds(), [first.id, second.id]);
    await stop(run);
  });

  test('when the app was killed with SIGKILL, then the leftover database is stopped, the next start works, and SIGTERM stops it cleanly', async () => {
    const killed = start();
    await waitReady(killed);
    process.kill(killed.child.pid!, 'SIGKILL');
    await killed.exit;
    assert.ok(postgresPids(dataDir).length > 0, 'SIGKILL leaves the detached postgres running');

    const run = start();
    await waitReady(run);
    assert.equal((await ticketIds()).length, 2, 'the data survived');
    await submit('after a crash');
    await stop(run, 'sigterm');
  });

  test('when a configuration value is invalid, then it refuses to start, names the variable, and starts no database', async () => {
    const run = start({ PORT: 'abc' });
    const { code } = await run.exit;
    assert.equal(code, 1);
    assert.match(run.output(), /PORT/);
    assert.deepEqual(postgresPids(dataDir), []);
  });
});

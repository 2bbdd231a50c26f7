import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startWorker, type WorkerHandle } from '../../src/jobs/worker.js';
import { findSilentPools } from '../../src/jobs/worker-liveness.js';
import { EMAIL_KINDS } from '../../src/mail/mail.queue.js';
import { createTicket } from '../helpers/factories.js';
import {
  deliveriesOf,
  mailTestEnv,
  queuedJobs,
  waitForQueueDrained,
  waitUntil,
  type MailTestEnv,
} from './mail-setup.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'worker-hangs-after-sent.ts');

/** Starts the child worker and resolves with a function that waits for a line starting with `prefix`. */
function spawnHangingWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, ...env, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters) w();
  });
  const waitForLine = (prefix: string, timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = lines.find((l) => l.startsWith(prefix));
        if (line) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(line.slice(prefix.length).trim());
        }
      };
      const timer = setTimeout(() => reject(new Error(`child never printed "${prefix}"`)), timeoutMs);
      waiters.add(check);
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing "${prefix}"`)));
      check();
    });
  return { child, waitForLine };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

describe('email delivery: a worker killed after the SMTP accept', () => {
  let env: MailTestEnv;
  let child: ChildProcess | undefined;
  let rescuer: WorkerHandle | undefined;
  before(async () => {
    env = await mailTestEnv({ worker: false });
  });
  after(async () => {
    child?.kill('SIGKILL');
    await rescuer?.stop();
    await env.close();
  });

  test('when the worker process is SIGKILLed after the mail was accepted and recorded, then no second mail is sent and its job is recovered', async () => {
    const spawned = spawnHangingWorker({ DATABASE_URL: env.t.database.url, SMTP_URL: env.sink.url });
    child = spawned.child;
    const childPool = await spawned.waitForLine('ready ');

    const ticket = await createTicket(env.ctx, { email: 'crash@example.com' });
    const deliveryId = await spawned.waitForLine('sent ');
    assert.equal(env.sink.to('crash@example.com').length, 1, 'the SMTP server accepted the mail');
    const [row] = await deliveriesOf(env.ctx, ticket.id);
    assert.deepEqual([row!.id, row!.status, row!.attempts], [deliveryId, 'sent', 1]);
    const [job] = await queuedJobs(env.ctx);
    assert.equal(job!.locked_by, childPool, 'the job is still locked by the hanging worker');

    // A live worker is never mistaken for a dead one, however many sweeps run.
    rescuer = await startWorker(env.ctx, { concurrency: 1, lockSweepIntervalMs: 3_600_000 });
    assert.deepEqual(await rescuer.sweepDeadWorkers(), []);
    assert.deepEqual(await rescuer.sweepDeadWorkers(), []);
    assert.equal((await queuedJobs(env.ctx))[0]!.locked_by, childPool);

    child.kill('SIGKILL');
    await exited(child);
    await waitUntil(
      async () => (await findSilentPools(env.ctx.db.pool, EMAIL_KINDS)).includes(childPool),
      'PostgreSQL noticed the dead session',
    );
    // Seen silent on two consecutive sweeps → released; the rescuer then runs the job again.
    assert.deepEqual(await rescuer.sweepDeadWorkers(), []);
    assert.deepEqual(await rescuer.sweepDeadWorkers(), [childPool]);
    await waitUntil(async () => (await queuedJobs(env.ctx)).length === 0, 'the recovered job completed');
    await waitForQueueDrained(env.ctx);

    assert.equal(env.sink.to('crash@example.com').length, 1, 'no second copy');
    const [after] = await deliveriesOf(env.ctx, ticket.id);
    assert.deepEqual([after!.status, after!.attempts, after!.message_id], ['sent', 1, row!.message_id]);
  });
});

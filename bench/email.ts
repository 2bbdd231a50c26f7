// Email pipeline: N confirmation jobs (default 5,000) delivered by the real worker (startWorker,
// graphile-worker + the product's delivery service and SMTP transport) to a local SMTP sink, vs
// plain nodemailer sending the very same messages to the same sink at the same concurrency, in
// alternating rounds (the machine is shared: a load spike then hits both sides alike). Then,
// with the worker idle, tickets submitted one by one through the real submit service measure
// job pickup latency: commit of the ticket + job → the worker calling the transport's send()
// (an upper bound on pickup: it also includes claiming the delivery row and rendering the mail).
// Both sides use pooled SMTP connections (SMTP_URL …?pool=true&maxConnections=<concurrency>).
// Targets: ≥ 0.5× the plain nodemailer rate; pickup p50 ≤ 50 ms.
import { randomBytes } from 'node:crypto';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { submitContact } from '../src/contact/contact.service.js';
import { createDb } from '../src/db/client.js';
import { readMigrationFiles } from '../src/db/migrate.js';
import { pgRunner } from '../src/db/sql.js';
import { inPgTransaction } from '../src/db/tx.js';
import { startWorker } from '../src/jobs/worker.js';
import { createLogger } from '../src/logger.js';
import { queueTicketMails } from '../src/mail/mail.queue.js';
import { createMailTransport, type MailTransport } from '../src/mail/transport.js';
import { cpuNow, cpuSince, type CpuMark } from './lib/cpu.js';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { summarise } from './lib/load.js';
import { sleep } from './lib/net.js';
import { createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { startBenchSmtpSink } from './lib/smtp-sink.js';
import { seedTickets } from './seed.js';

const envelopeTo = (m: SendMailOptions) => String((m.envelope as { to: string[] }).to[0]).toLowerCase();

/** The product's own SMTP transport, recording when send() is called and what it was asked to send. */
function recordingTransport(real: MailTransport) {
  const sendStarts = new Map<string, number>();
  const messages: SendMailOptions[] = [];
  const transport: MailTransport = {
    kind: real.kind,
    destination: real.destination,
    send(message, opts) {
      sendStarts.set(envelopeTo(message), performance.now());
      messages.push(message);
      return real.send(message, opts);
    },
    close: () => real.close(),
  };
  return { transport, sendStarts, messages };
}

/** Sends `messages` through one long-lived transporter (pooled like the worker's), `concurrency` at a time. */
async function plainNodemailer(
  transporter: Transporter,
  messages: SendMailOptions[],
  concurrency: number,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages.length) await transporter.sendMail(messages[next++]!);
    }),
  );
  return (performance.now() - t0) / 1000;
}

export async function emailBench(env: BenchEnv): Promise<BenchOutput> {
  const jobs = argNumber(env.args, 'jobs', env.quick ? 500 : 5000);
  const pickups = argNumber(env.args, 'pickups', env.quick ? 50 : 200);
  const dbName = 'contactdesk_bench_email';
  const url = await createMigratedDatabase(env.pg, dbName);
  const sink = await startBenchSmtpSink();
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 5);
  // Pooled SMTP connections on both sides (a documented SMTP_URL option of the product): without
  // them every message opens a connection and smtp-server holds each greeting for a fixed 100 ms
  // (its early-talker check), so both rates would only measure that pause.
  const smtpUrl = `${sink.url}?pool=true&maxConnections=${concurrency}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    SESSION_SECRET: randomBytes(24).toString('hex'),
    MAIL_SIGNING_SECRET: randomBytes(24).toString('hex'),
    DATABASE_URL: url,
    SMTP_URL: smtpUrl,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: String(concurrency),
  });
  const logger = createLogger(config);
  const db = createDb(url);
  const ctx: AppContext = { config, db, logger, clock: systemClock, migrationFiles: await readMigrationFiles() };
  const rec = recordingTransport(createMailTransport(config, logger));
  try {
    // Backlog: N tickets with unique recipients. The machine is shared and noisy, so the worker
    // and plain nodemailer run in alternating rounds of N/rounds mails and each side's rounds are
    // summed: a round queues its confirmation jobs in one transaction while the worker idles, and
    // the worker's clock starts at that COMMIT and stops when the sink has every mail. Plain
    // nodemailer sends the very messages the worker sent (the latest round's), worker first in
    // even rounds and plain first in odd ones.
    await seedTickets(url, jobs, env.log);
    await db.pool.query(`UPDATE contact_submissions SET email = 'bench' || ticket_number || '@example.com'`);
    const { rows: tickets } = await db.pool.query<{ id: string; ticket_number: string; email: string }>(
      'SELECT id, ticket_number, email FROM contact_submissions ORDER BY created_at',
    );
    const rounds = Math.max(1, argNumber(env.args, 'rounds', env.quick ? 2 : 5));
    const size = Math.ceil(tickets.length / rounds);
    env.log(`worker (concurrency ${concurrency}) and plain nodemailer: ${jobs} mails in ${rounds} alternating rounds`);
    const worker = await startWorker(ctx, { transport: rec.transport });
    // Both sides keep their pooled SMTP connections across rounds (the worker's transport does).
    const plain = nodemailer.createTransport({ url: smtpUrl });
    let pickup: number[] = [];
    let endToEnd: number[] = [];
    let workerSec = 0;
    let plainSec = 0;
    let plainSent = 0;
    const cpu = { worker: { node: 0, pg: 0 }, plain: { node: 0, pg: 0 } };
    const addCpu = (side: keyof typeof cpu, a: CpuMark, b: CpuMark) => {
      const d = cpuSince(a, b);
      cpu[side].node += d.node;
      cpu[side].pg += d.pg;
    };
    const perRound: Array<{ round: number; worker: number; plain: number }> = [];
    try {
      let lastBatch: SendMailOptions[] = [];
      for (let r = 0; r < rounds; r++) {
        const batch = tickets.slice(r * size, (r + 1) * size);
        if (!batch.length) break;
        const viaWorker = async () => {
          sink.reset();
          const before = rec.messages.length;
          await inPgTransaction(db, { actorId: null, source: 'system' }, (client) =>
            queueTicketMails(
              pgRunner(client),
              batch.map((t) => ({
                ticketId: t.id,
                ticketNumber: t.ticket_number,
                kind: 'contact_confirmation' as const,
                recipients: [t.email],
              })),
            ),
          );
          const cpu0 = await cpuNow(db.pool, dbName);
          const t0 = performance.now();
          await sink.waitFor(batch.length, 600_000);
          // Other mails the worker's crontab sends (a moderator digest) count in the sink too:
          // the round ends when every one of ITS recipients has its mail.
          while (!batch.every((t) => sink.arrivals.has(t.email.toLowerCase()))) {
            if (performance.now() - t0 > 600_000) throw new Error(`round ${r + 1}: not every mail arrived`);
            await sleep(2);
          }
          const sec = (performance.now() - t0) / 1000;
          addCpu('worker', cpu0, await cpuNow(db.pool, dbName));
          lastBatch = rec.messages.slice(before, before + batch.length);
          return sec;
        };
        const viaPlain = async () => {
          sink.reset();
          plainSent += lastBatch.length;
          const cpu0 = await cpuNow(db.pool, dbName);
          const sec = await plainNodemailer(plain, lastBatch, concurrency);
          addCpu('plain', cpu0, await cpuNow(db.pool, dbName));
          return sec;
        };
        let w: number;
        let p: number;
        if (r % 2 === 0 || !lastBatch.length) {
          w = await viaWorker();
          p = await viaPlain();
        } else {
          p = await viaPlain();
          w = await viaWorker();
        }
        workerSec += w;
        plainSec += p;
        perRound.push({ round: r + 1, worker: batch.length / w, plain: lastBatch.length / p });
        env.log(
          `round ${r + 1}/${rounds}: worker ${(batch.length / w).toFixed(0)}/s, plain ${(lastBatch.length / p).toFixed(0)}/s`,
        );
      }
      // Pickup: the worker is idle now; one submission at a time through the real service.
      sink.reset();
      env.log(`pickup latency: ${pickups} submissions, 25 ms apart`);
      const committed = new Map<string, number>();
      for (let i = 0; i < pickups; i++) {
        const email = `pickup${i}.${randomBytes(3).toString('hex')}@example.com`;
        await submitContact(
          ctx,
          {
            name: 'Pickup Probe',
            email,
            subject: 'Latency probe',
            message: 'Measuring job pickup.',
            category: 'general',
          },
          { actor: null, ip: '127.0.0.1', userAgent: 'bench', source: 'api' },
        );
        committed.set(email, performance.now());
        await sleep(25);
      }
      await sink.waitFor(pickups, 60_000);
      for (const [email, at] of committed) {
        pickup.push(rec.sendStarts.get(email)! - at);
        endToEnd.push(sink.arrivals.get(email)! - at);
      }
      pickup = pickup.filter(Number.isFinite);
      endToEnd = endToEnd.filter(Number.isFinite);
    } finally {
      plain.close();
      await worker.stop();
    }
    const sent = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM email_deliveries WHERE status = 'sent'`,
    );

    const workerRate = jobs / workerSec;
    const plainRate = plainSent / plainSec;
    const p = summarise(pickup);
    const e = summarise(endToEnd);
    printTable(
      `Email: ${jobs} confirmation mails to a local SMTP sink (concurrency ${concurrency}, ${rounds} alternating rounds)`,
      ['sender', 'seconds', 'mails/s', 'node CPU ms/mail', 'PostgreSQL CPU ms/mail'],
      [
        [
          'worker (graphile-worker + delivery service)',
          workerSec,
          workerRate,
          cpu.worker.node / jobs,
          cpu.worker.pg / jobs,
        ],
        ['plain nodemailer, same messages', plainSec, plainRate, cpu.plain.node / plainSent, cpu.plain.pg / plainSent],
      ],
    );
    printTable(
      'Per round (mails/s)',
      ['round', 'worker', 'plain'],
      perRound.map((x) => [x.round, x.worker, x.plain]),
    );
    printTable(
      `Job pickup, ${pickup.length} single submissions (ms)`,
      ['measure', 'p50', 'p95', 'p99', 'max'],
      [
        ['commit → transport.send() called', p.p50, p.p95, p.p99, p.max],
        ['commit → message received by the sink', e.p50, e.p95, e.p99, e.max],
      ],
    );
    console.log(
      `rate ratio worker/plain: ${(workerRate / plainRate).toFixed(2)}×; deliveries marked sent: ${sent.rows[0]!.n}`,
    );
    return {
      params: { jobs, pickups, concurrency, rounds },
      measurements: {
        workerSec,
        workerRate,
        plainSec,
        plainRate,
        plainSent,
        cpuMsPerMail: {
          worker: { node: cpu.worker.node / jobs, pg: cpu.worker.pg / jobs },
          plain: { node: cpu.plain.node / plainSent, pg: cpu.plain.pg / plainSent },
        },
        perRound,
        pickupMs: p,
        endToEndMs: e,
        deliveriesSent: sent.rows[0]!.n,
      },
      targets: [
        target('email', 'worker rate vs plain nodemailer', workerRate / plainRate, '>=', 0.5, '×'),
        target('email', 'job pickup p50', p.p50, '<=', 50, ' ms'),
        target('email', 'deliveries marked sent', sent.rows[0]!.n, '>=', jobs + pickups),
      ],
    };
  } finally {
    rec.transport.close();
    await db.close();
    await sink.stop();
    await dropDatabase(env.pg, dbName);
  }
}

// No server process here: the worker runs in this process, from source.
if (isMain(import.meta.url)) await standalone('email', emailBench, { build: false });

// Inbound mail: N customer replies (default 5,000) to existing open tickets, each addressed to the
// ticket's signed reply address (src/conversation/mail-signing.ts), sent with nodemailer over SMTP
// into the product's built-in receiver and processed by its worker into thread messages (raw
// stored, parsed, matched, ticket_messages row). The product runs as `npm start` runs it: the
// compiled server in a process of its own with INBOUND_SMTP_PORT set and the worker inline (with
// --split: WORKER_INLINE=false and `npm run worker` beside it). This process is the sending MTA.
// Measured end to end: first SMTP command → every reply of the round is a thread message.
//
// In the same run, at the same concurrency:
// - baseline (the issue's): bare mailparser parsing the very same raw messages plus one INSERT
//   each into a plain table, in this process;
// - floor (context): the issue's parts with nothing of ours, in a process of its own like the
//   server: smtp-server receiving, mailparser, email-reply-parser, sanitize-html, one INSERT, then
//   250 (bench/lib/inbound-floor.ts). No pipeline that does what the issue asks costs less.
// The machine is shared and noisy, so the sides run in alternating rounds of N/rounds messages
// (the order rotates) and each side's rounds are summed. CPU per message is read from /proc for
// each process and PostgreSQL's backends. Target: product rate ≥ 0.5× the baseline's.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { replyAddressFor } from '../src/conversation/mail-signing.js';
import { cpuNow, cpuSince, type CpuMark } from './lib/cpu.js';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { freePort, sleep, waitForPort } from './lib/net.js';
import { createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { APP_ROOT, ROOT, benchServerEnv, startServer, type RunningServer } from './lib/server.js';
import { startBenchSmtpSink } from './lib/smtp-sink.js';
import { seedTickets } from './seed.js';

const DOMAIN = 'desk.bench';

interface Ticket {
  id: string;
  ticket_number: string;
  name: string;
  email: string;
  subject: string;
  message: string;
}

interface Reply {
  from: string;
  to: string;
  raw: Buffer;
}

const SENTENCES = [
  'Thanks for getting back to me so quickly.',
  'I tried what you suggested but the problem is still there.',
  'The order number is on the invoice I attached last week.',
  'It happens every time I open the settings page on my phone.',
  'My colleague sees the same thing on her laptop, so it is not just me.',
  'Could you tell me when the fix will be available?',
  'I restarted the app and cleared the cache, no change.',
  'The parcel tracking still says it is waiting at the depot.',
];

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;
const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);

/**
 * One real-shaped reply: the shapes the inbound corpus tests use (tests/inbound/fixtures) —
 * Gmail (text + HTML, "On … wrote:" quote, gmail_quote div), Outlook (HTML-heavy, Thread-Index,
 * "From:/Sent:" block, iso-8859-1 quoted-printable), Apple Mail (plain text, `>` quote, signature).
 */
async function buildReply(config: Parameters<typeof replyAddressFor>[0], t: Ticket, i: number): Promise<Reply> {
  const to = replyAddressFor(config, t.id)!;
  const text = [pick(SENTENCES, i), pick(SENTENCES, i + 3), `Reference ${i}: ${randomBytes(4).toString('hex')}.`].join(
    ' ',
  );
  const quoted = t.message.split('\n').slice(0, 8);
  const date = new Date(Date.now() - 3_600_000);
  const shape = i % 3;
  const common = {
    from: { name: t.name, address: t.email },
    to: { name: 'Support', address: to },
    subject: `Re: [${t.ticket_number}] We received your message: ${t.subject}`,
    date,
    envelope: { from: t.email, to: [to] },
  };
  let mail: ConstructorParameters<typeof MailComposer>[0];
  if (shape === 0) {
    const prev = `<CA${randomBytes(18).toString('base64url')}@mail.gmail.com>`;
    mail = {
      ...common,
      messageId: `<CA${randomBytes(24).toString('base64url')}@mail.gmail.com>`,
      inReplyTo: prev,
      references: [prev],
      text: `${text}\n\nOn ${date.toUTCString()}, Support <${to}> wrote:\n${quoted.map((l) => `> ${l}`).join('\n')}\n`,
      html:
        `<div dir="ltr">${escapeHtml(text)}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">` +
        `On ${date.toUTCString()}, Support &lt;${to}&gt; wrote:<br></div><blockquote class="gmail_quote" ` +
        `style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">` +
        `${quoted.map(escapeHtml).join('<br>')}</blockquote></div>`,
    };
  } else if (shape === 1) {
    mail = {
      ...common,
      messageId: `<AM0PR07MB${randomBytes(16).toString('hex').toUpperCase()}@AM0PR07MB6243.eurprd07.prod.outlook.com>`,
      inReplyTo: `<AM0PR07MB${randomBytes(16).toString('hex').toUpperCase()}@AM0PR07MB6243.eurprd07.prod.outlook.com>`,
      headers: {
        'Thread-Topic': t.subject,
        'Thread-Index': randomBytes(22).toString('base64'),
        'Accept-Language': 'de-DE, en-US',
        'X-MS-Has-Attach': '',
      },
      textEncoding: 'quoted-printable',
      text: `${text}\n\nBest regards\n${t.name}\n\n________________________________\nFrom: Support <${to}>\nSent: ${date.toUTCString()}\nTo: ${t.name} <${t.email}>\nSubject: [${t.ticket_number}] ${t.subject}\n\n${quoted.join('\n')}\n`,
      html:
        `<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><style type="text/css" ` +
        `style="display:none;"> P {margin-top:0;margin-bottom:0;} </style></head><body dir="ltr"><div style="font-family: ` +
        `Calibri, Arial, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">${escapeHtml(text)}</div>` +
        `<div style="font-family: Calibri">Best regards<br>${escapeHtml(t.name)}</div><hr style="display:inline-block;width:98%" ` +
        `tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">` +
        `<b>From:</b> Support &lt;${to}&gt;<br><b>Sent:</b> ${date.toUTCString()}<br><b>Subject:</b> ` +
        `[${t.ticket_number}] ${escapeHtml(t.subject)}</font><div>&nbsp;</div></div><div>` +
        `${quoted.map(escapeHtml).join('<br>')}</div></body></html>`,
    };
  } else {
    mail = {
      ...common,
      messageId: `<${randomUUID().toUpperCase()}@icloud.com>`,
      inReplyTo: `<${randomUUID().toUpperCase()}@icloud.com>`,
      headers: { 'X-Mailer': 'iPhone Mail (21F90)' },
      text: `${text}\n\n--\n${t.name}\nSent from my iPhone\n\n> On ${date.toUTCString()}, Support <${to}> wrote:\n>\n${quoted.map((l) => `> ${l}`).join('\n')}\n`,
    };
  }
  const raw = await new MailComposer(mail).compile().build();
  return { from: t.email, to, raw };
}

/** Sends `replies` with `concurrency` pooled SMTP connections; resolves when every one got its 250. */
async function sendAll(port: number, replies: Reply[], concurrency: number): Promise<void> {
  // Plain SMTP on loopback, as the tests send (the receiver's STARTTLS has only smtp-server's
  // built-in test certificate).
  const transporter = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    pool: true,
    maxConnections: concurrency,
    ignoreTLS: true,
  });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < replies.length) {
          const r = replies[next++]!;
          await transporter.sendMail({ envelope: { from: r.from, to: [r.to] }, raw: r.raw });
        }
      }),
    );
  } finally {
    transporter.close();
  }
}

/** The baseline: mailparser + one INSERT per message, `concurrency` at a time. */
async function plainParseInsert(pool: pg.Pool, replies: Reply[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < replies.length) {
        const r = replies[next++]!;
        const parsed = await simpleParser(r.raw, { skipImageLinks: true, skipTextToHtml: true });
        await pool.query(
          `INSERT INTO bench_plain_mail (message_id, from_address, subject, body_text, body_html) VALUES ($1, $2, $3, $4, $5)`,
          [
            parsed.messageId ?? null,
            parsed.from?.value[0]?.address ?? null,
            parsed.subject ?? '',
            parsed.text ?? '',
            parsed.html || null,
          ],
        );
      }
    }),
  );
}

/** Mails still waiting to be processed, and failed ones: a cheap poll (the status index), run every 20 ms. */
async function pipelineState(db: pg.Pool): Promise<{ waiting: number; failed: number }> {
  const { rows } = await db.query<{ waiting: number; failed: number }>(
    `SELECT count(*) FILTER (WHERE status = 'received')::int AS waiting,
       count(*) FILTER (WHERE status = 'failed')::int AS failed
     FROM inbound_mails WHERE status IN ('received', 'failed')`,
  );
  return rows[0]!;
}

/** The floor receiver (bench/lib/inbound-floor.ts) as a child process; resolves with its port. */
async function startFloor(url: string, concurrency: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/lib/inbound-floor.ts'), url, String(concurrency)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the floor receiver exited (${code}) before listening`)));
  });
  return { child, port };
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

type Side = 'product' | 'floor' | 'baseline';
const times = (x: number) => `${x.toFixed(2)}×`;

export async function inboundBench(env: BenchEnv): Promise<BenchOutput> {
  const total = argNumber(env.args, 'messages', env.quick ? 500 : 5000);
  const rounds = Math.max(1, argNumber(env.args, 'rounds', env.quick ? 3 : 6));
  const tickets = argNumber(env.args, 'tickets', Math.min(1000, total));
  const split = env.args.includes('--split');
  const dbName = 'contactdesk_bench_inbound';
  const url = await createMigratedDatabase(env.pg, dbName);
  const sink = await startBenchSmtpSink();
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 5);
  const smtpPort = await freePort();
  // The server's configuration, also read here for the reply addresses the replies are sent to.
  const serverEnv = {
    MAIL_SIGNING_SECRET: randomBytes(24).toString('hex'),
    SMTP_URL: `${sink.url}?pool=true&maxConnections=2`,
    INBOUND_ADDRESS: `support@${DOMAIN}`,
    INBOUND_SMTP_PORT: String(smtpPort),
    INBOUND_SMTP_HOST: '127.0.0.1',
    WORKER_CONCURRENCY: String(concurrency),
    WORKER_INLINE: split ? 'false' : 'true',
  };
  const config = loadConfig({
    ...serverEnv,
    NODE_ENV: 'production',
    SESSION_SECRET: randomBytes(24).toString('hex'),
    DATABASE_URL: url,
  });
  const pool = new pg.Pool({ connectionString: url, max: concurrency + 1 });
  // An idle connection ended by the DROP DATABASE at the end must not crash the finished run
  // (seen as an unhandled 'error' on this pool after the results were printed).
  pool.on('error', () => {});
  let server: RunningServer | undefined;
  let worker: ChildProcess | undefined;
  let floor: { child: ChildProcess; port: number } | undefined;
  try {
    await seedTickets(url, tickets, env.log);
    // Replies go to open tickets: every one becomes a message on its thread (no reopen, no new ticket).
    await pool.query(
      `UPDATE contact_submissions SET status = 'in_progress', resolved_at = NULL
       WHERE status NOT IN ('pending', 'in_progress')`,
    );
    for (const table of ['bench_plain_mail', 'bench_floor_mail']) {
      await pool.query(
        `CREATE TABLE ${table} (id bigserial PRIMARY KEY, message_id text, from_address text, subject text,
           body_text text, body_html text, created_at timestamptz NOT NULL DEFAULT now())`,
      );
    }
    const { rows: ticketRows } = await pool.query<Ticket>(
      'SELECT id, ticket_number, name, email, subject, message FROM contact_submissions ORDER BY created_at',
    );
    env.log(`building ${total} replies to ${ticketRows.length} tickets`);
    const replies: Reply[] = [];
    for (let i = 0; i < total; i++) replies.push(await buildReply(config, pick(ticketRows, i * 7919), i));
    const bytes = replies.reduce((n, r) => n + r.raw.length, 0);

    server = await startServer({ databaseUrl: url, env: serverEnv });
    const procs: Record<string, number> = { server: server.pid };
    if (split) {
      // BENCH_CPU_PROF=<dir> profiles the worker too (bench/lib/server.ts does the server).
      const prof = process.env.BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF, `worker-${Date.now()}`)}`]
        : [];
      worker = spawn(process.execPath, [...prof, path.join(APP_ROOT, 'dist/src/worker.js')], {
        cwd: APP_ROOT,
        env: benchServerEnv(await freePort(), { databaseUrl: url, env: serverEnv }),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      procs.worker = worker.pid!;
    }
    await waitForPort(smtpPort, () => server!.child.exitCode === null);
    floor = await startFloor(url, concurrency);
    procs.floor = floor.child.pid!;

    const seconds: Record<Side, number> = { product: 0, floor: 0, baseline: 0 };
    let acceptedSec = 0;
    // CPU ms by side and process (this process is the sender for product and floor).
    const cpu: Record<Side, Record<string, number>> = { product: {}, floor: {}, baseline: {} };
    const addCpu = (side: Side, a: CpuMark, b: CpuMark) => {
      const d = cpuSince(a, b);
      const into = cpu[side];
      const parts: Record<string, number> = { 'bench process': d.node, PostgreSQL: d.pg };
      if (side === 'product') Object.assign(parts, { server: d.procs.server ?? 0, worker: d.procs.worker ?? 0 });
      if (side === 'floor') parts['floor receiver'] = d.procs.floor ?? 0;
      for (const [k, v] of Object.entries(parts)) if (v || k !== 'worker') into[k] = (into[k] ?? 0) + v;
    };
    const perRound: Array<Record<string, number>> = [];
    const size = Math.ceil(total / rounds);
    for (let r = 0; r < rounds; r++) {
      const batch = replies.slice(r * size, (r + 1) * size);
      if (!batch.length) break;
      const run: Record<Side, () => Promise<number>> = {
        product: async () => {
          const t0 = performance.now();
          await sendAll(smtpPort, batch, concurrency);
          acceptedSec += (performance.now() - t0) / 1000;
          // Every mail of the round is stored (it got its 250): the round ends when none waits.
          for (;;) {
            const s = await pipelineState(pool);
            if (s.failed) throw new Error(`${s.failed} inbound mails failed to process`);
            if (!s.waiting) break;
            if (performance.now() - t0 > 600_000) throw new Error(`${s.waiting} mails still unprocessed`);
            await sleep(20);
          }
          return (performance.now() - t0) / 1000;
        },
        floor: async () => {
          const t0 = performance.now();
          await sendAll(floor!.port, batch, concurrency);
          return (performance.now() - t0) / 1000;
        },
        baseline: async () => {
          const t0 = performance.now();
          await plainParseInsert(pool, batch, concurrency);
          return (performance.now() - t0) / 1000;
        },
      };
      const order: Side[] = (['product', 'floor', 'baseline'] as const).map((_, i, all) => all[(i + r) % 3]!);
      const rates: Record<string, number> = { round: r + 1 };
      for (const side of order) {
        const c0 = await cpuNow(pool, dbName, procs);
        const sec = await run[side]();
        addCpu(side, c0, await cpuNow(pool, dbName, procs));
        seconds[side] += sec;
        rates[side] = batch.length / sec;
      }
      perRound.push(rates);
      env.log(
        `round ${r + 1}/${rounds}: product ${rates.product!.toFixed(0)}/s, floor ${rates.floor!.toFixed(0)}/s, baseline ${rates.baseline!.toFixed(0)}/s`,
      );
    }
    const { rows: check } = await pool.query<{
      stored: number;
      processed: number;
      messages: number;
      plain: number;
      floor: number;
    }>(
      `SELECT (SELECT count(*) FROM inbound_mails)::int AS stored,
         (SELECT count(*) FROM inbound_mails WHERE status = 'processed' AND outcome = 'appended')::int AS processed,
         (SELECT count(*) FROM ticket_messages WHERE kind = 'customer')::int AS messages,
         (SELECT count(*) FROM bench_plain_mail)::int AS plain,
         (SELECT count(*) FROM bench_floor_mail)::int AS floor`,
    );
    const c = check[0]!;
    const rate = (side: Side) => total / seconds[side];
    printTable(
      `Inbound: ${total} customer replies (${(bytes / total / 1024).toFixed(1)} kB average), ${rounds} rotating rounds, concurrency ${concurrency}, worker ${split ? 'in its own process' : 'inline'}`,
      ['path', 'seconds', 'messages/s', 'vs baseline'],
      [
        [
          'product: SMTP → receiver → stored → worker → thread message',
          seconds.product,
          rate('product'),
          times(rate('product') / rate('baseline')),
        ],
        ['  of which: SMTP accepted (raw committed, 250)', acceptedSec, total / acceptedSec, ''],
        [
          'floor: SMTP → mailparser + reply parser + sanitize-html + 1 INSERT → 250',
          seconds.floor,
          rate('floor'),
          times(rate('floor') / rate('baseline')),
        ],
        ['baseline: mailparser + 1 INSERT, same messages', seconds.baseline, rate('baseline'), '1×'],
      ],
    );
    printTable(
      'CPU per message (ms), by process',
      ['side', 'process', 'ms/message'],
      (['product', 'floor', 'baseline'] as const).flatMap((side) =>
        Object.entries(cpu[side]).map(([proc, ms]) => [side, proc, (ms / total).toFixed(2)]),
      ),
    );
    printTable(
      'Per round (messages/s)',
      ['round', 'product', 'floor', 'baseline'],
      perRound.map((x) => [x.round!, x.product!, x.floor!, x.baseline!]),
    );
    // What 0.5× leaves: every process here (sender, receivers, PostgreSQL) shares these cores, so
    // at half the baseline's rate all of them together may spend at most this much CPU per message.
    const cores = availableParallelism();
    const budget = (cores * 1000) / (0.5 * rate('baseline'));
    const cpuTotal = (side: Side) => Object.values(cpu[side]).reduce((a, b) => a + b, 0) / total;
    console.log(
      `CPU budget for 0.5× on ${cores} cores: ${budget.toFixed(2)} ms per message for all processes together; ` +
        `used: product ${cpuTotal('product').toFixed(2)}, floor ${cpuTotal('floor').toFixed(2)}, ` +
        `baseline ${cpuTotal('baseline').toFixed(2)}`,
    );
    console.log(
      `rate ratio product/baseline: ${(rate('product') / rate('baseline')).toFixed(2)}×, floor/baseline ` +
        `${(rate('floor') / rate('baseline')).toFixed(2)}×, product/floor ${(rate('product') / rate('floor')).toFixed(2)}×; ` +
        `stored ${c.stored}, processed as thread messages ${c.processed}, customer messages ${c.messages}, ` +
        `baseline rows ${c.plain}, floor rows ${c.floor}`,
    );
    return {
      params: { messages: total, rounds, tickets: ticketRows.length, concurrency, split, averageBytes: bytes / total },
      measurements: {
        productSec: seconds.product,
        acceptedSec,
        floorSec: seconds.floor,
        plainSec: seconds.baseline,
        productRate: rate('product'),
        floorRate: rate('floor'),
        plainRate: rate('baseline'),
        cpuBudgetMsPerMessage: budget,
        cpuMsPerMessage: Object.fromEntries(
          Object.entries(cpu).map(([side, x]) => [
            side,
            Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v / total])),
          ]),
        ),
        perRound,
        check: c,
      },
      targets: [
        target(
          'inbound',
          'SMTP → thread rate vs mailparser + INSERT',
          rate('product') / rate('baseline'),
          '>=',
          0.5,
          '×',
        ),
        target('inbound', 'replies that became thread messages', c.processed, '>=', total),
      ],
    };
  } finally {
    if (floor) await stopChild(floor.child);
    if (worker) await stopChild(worker);
    await server?.stop();
    await pool.end();
    await sink.stop();
    await dropDatabase(env.pg, dbName);
  }
}

// The product runs from the compiled build (npm run build, done when a source is newer).
if (isMain(import.meta.url)) await standalone('inbound', inboundBench);

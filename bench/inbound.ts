// Inbound mail: N customer replies (default 5,000) to existing open tickets, each addressed to the
// ticket's signed reply address (src/conversation/mail-signing.ts), sent with nodemailer over SMTP
// into the product's built-in receiver (src/inbound/smtp-receiver.ts) and processed by the real
// worker into thread messages (raw stored, parsed, matched, ticket_messages row). Measured end to
// end: first SMTP command → every reply of the round is a thread message.
// Baseline in the same run: bare mailparser parsing the very same raw messages plus one INSERT
// each into a plain table, at the same concurrency.
// The machine is shared and noisy, so both sides run in alternating rounds of N/rounds messages
// (product first in even rounds, baseline first in odd ones) and each side's rounds are summed.
// Target: product rate ≥ 0.5× the baseline's.
import { randomBytes, randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import pg from 'pg';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { replyAddressFor } from '../src/conversation/mail-signing.js';
import { createDb } from '../src/db/client.js';
import { readMigrationFiles } from '../src/db/migrate.js';
import { startSmtpReceiver } from '../src/inbound/smtp-receiver.js';
import { startWorker } from '../src/jobs/worker.js';
import { createLogger } from '../src/logger.js';
import { createMailTransport } from '../src/mail/transport.js';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { sleep } from './lib/net.js';
import { createMigratedDatabase, dropDatabase } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
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

async function threadMessages(db: pg.Pool): Promise<{ messages: number; failed: number }> {
  const { rows } = await db.query<{ messages: number; failed: number }>(
    `SELECT (SELECT count(*) FROM ticket_messages WHERE kind = 'customer' AND inbound_mail_id IS NOT NULL)::int AS messages,
       (SELECT count(*) FROM inbound_mails WHERE status = 'failed')::int AS failed`,
  );
  return rows[0]!;
}

export async function inboundBench(env: BenchEnv): Promise<BenchOutput> {
  const total = argNumber(env.args, 'messages', env.quick ? 500 : 5000);
  const rounds = Math.max(1, argNumber(env.args, 'rounds', env.quick ? 2 : 5));
  const tickets = argNumber(env.args, 'tickets', Math.min(1000, total));
  const dbName = 'contactdesk_bench_inbound';
  const url = await createMigratedDatabase(env.pg, dbName);
  const sink = await startBenchSmtpSink();
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 5);
  const config = loadConfig({
    NODE_ENV: 'production',
    SESSION_SECRET: randomBytes(24).toString('hex'),
    MAIL_SIGNING_SECRET: randomBytes(24).toString('hex'),
    DATABASE_URL: url,
    SMTP_URL: `${sink.url}?pool=true&maxConnections=2`,
    INBOUND_ADDRESS: `support@${DOMAIN}`,
    INBOUND_SMTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: String(concurrency),
  });
  const logger = createLogger(config);
  const db = createDb(url);
  const ctx: AppContext = { config, db, logger, clock: systemClock, migrationFiles: await readMigrationFiles() };
  const plainPool = new pg.Pool({ connectionString: url, max: concurrency });
  // An idle connection ended by the DROP DATABASE at the end must not crash the finished run
  // (seen as an unhandled 'error' on this pool after the results were printed).
  plainPool.on('error', () => {});
  const transport = createMailTransport(config, logger);
  try {
    await seedTickets(url, tickets, env.log);
    // Replies go to open tickets: every one becomes a message on its thread (no reopen, no new ticket).
    await db.pool.query(
      `UPDATE contact_submissions SET status = 'in_progress', resolved_at = NULL
       WHERE status NOT IN ('pending', 'in_progress')`,
    );
    await db.pool.query(
      `CREATE TABLE bench_plain_mail (id bigserial PRIMARY KEY, message_id text, from_address text, subject text,
         body_text text, body_html text, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows: ticketRows } = await db.pool.query<Ticket>(
      'SELECT id, ticket_number, name, email, subject, message FROM contact_submissions ORDER BY created_at',
    );
    env.log(`building ${total} replies to ${ticketRows.length} tickets`);
    const replies: Reply[] = [];
    for (let i = 0; i < total; i++) replies.push(await buildReply(config, pick(ticketRows, i * 7919), i));
    const bytes = replies.reduce((n, r) => n + r.raw.length, 0);

    const receiver = await startSmtpReceiver(ctx, { port: 0, host: '127.0.0.1' });
    const worker = await startWorker(ctx, { transport });
    let productSec = 0;
    let acceptedSec = 0;
    let plainSec = 0;
    const perRound: Array<{ round: number; product: number; accepted: number; plain: number }> = [];
    try {
      const size = Math.ceil(total / rounds);
      let done = 0;
      for (let r = 0; r < rounds; r++) {
        const batch = replies.slice(r * size, (r + 1) * size);
        if (!batch.length) break;
        const product = async () => {
          const t0 = performance.now();
          await sendAll(receiver.port, batch, concurrency);
          const accepted = (performance.now() - t0) / 1000;
          for (;;) {
            const s = await threadMessages(db.pool);
            if (s.failed) throw new Error(`${s.failed} inbound mails failed to process`);
            if (s.messages >= done + batch.length) break;
            if (performance.now() - t0 > 600_000)
              throw new Error(`only ${s.messages} of ${done + batch.length} processed`);
            await sleep(20);
          }
          done += batch.length;
          return { product: (performance.now() - t0) / 1000, accepted };
        };
        const plain = async () => {
          const t0 = performance.now();
          await plainParseInsert(plainPool, batch, concurrency);
          return (performance.now() - t0) / 1000;
        };
        let p: { product: number; accepted: number };
        let b: number;
        if (r % 2 === 0) {
          p = await product();
          b = await plain();
        } else {
          b = await plain();
          p = await product();
        }
        productSec += p.product;
        acceptedSec += p.accepted;
        plainSec += b;
        perRound.push({
          round: r + 1,
          product: batch.length / p.product,
          accepted: batch.length / p.accepted,
          plain: batch.length / b,
        });
        env.log(
          `round ${r + 1}/${rounds}: product ${(batch.length / p.product).toFixed(0)}/s, baseline ${(batch.length / b).toFixed(0)}/s`,
        );
      }
    } finally {
      await receiver.stop();
      await worker.stop();
    }
    const { rows: check } = await db.pool.query<{ stored: number; processed: number; messages: number; plain: number }>(
      `SELECT (SELECT count(*) FROM inbound_mails)::int AS stored,
         (SELECT count(*) FROM inbound_mails WHERE status = 'processed' AND outcome = 'appended')::int AS processed,
         (SELECT count(*) FROM ticket_messages WHERE kind = 'customer')::int AS messages,
         (SELECT count(*) FROM bench_plain_mail)::int AS plain`,
    );
    const c = check[0]!;
    const productRate = total / productSec;
    const plainRate = total / plainSec;
    printTable(
      `Inbound: ${total} customer replies (${(bytes / total / 1024).toFixed(1)} kB average), ${rounds} alternating rounds, concurrency ${concurrency}`,
      ['path', 'seconds', 'messages/s'],
      [
        ['product: SMTP → receiver → stored → worker → thread message', productSec, productRate],
        ['  of which: SMTP accepted (raw committed, 250)', acceptedSec, total / acceptedSec],
        ['baseline: mailparser + 1 INSERT, same messages', plainSec, plainRate],
      ],
    );
    printTable(
      'Per round (messages/s)',
      ['round', 'product', 'accepted', 'baseline'],
      perRound.map((x) => [x.round, x.product, x.accepted, x.plain]),
    );
    console.log(
      `rate ratio product/baseline: ${(productRate / plainRate).toFixed(2)}×; stored ${c.stored}, processed as ` +
        `thread messages ${c.processed}, customer messages ${c.messages}, baseline rows ${c.plain}`,
    );
    return {
      params: { messages: total, rounds, tickets: ticketRows.length, concurrency, averageBytes: bytes / total },
      measurements: { productSec, acceptedSec, plainSec, productRate, plainRate, perRound, check: c },
      targets: [
        target('inbound', 'SMTP → thread rate vs mailparser + INSERT', productRate / plainRate, '>=', 0.5, '×'),
        target('inbound', 'replies that became thread messages', c.processed, '>=', total),
      ],
    };
  } finally {
    transport.close();
    await plainPool.end();
    await db.close();
    await sink.stop();
    await dropDatabase(env.pg, dbName);
  }
}

// No server process here: the receiver and the worker run in this process, from source.
if (isMain(import.meta.url)) await standalone('inbound', inboundBench, { build: false });

// The built-in SMTP receiver with real parts: nodemailer sends into it over loopback, the real
// worker processes what it stored, PostgreSQL is real (taken down through a TCP proxy). A reply
// lands in its ticket's thread; a relay attempt is refused; with the database down the sender
// gets 451 and its retry is delivered once the database is back; a connection cut mid-DATA
// stores nothing and the sender's retry is delivered exactly once.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import type { AppContext } from '../../src/context.js';
import { createDb } from '../../src/db/client.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../src/inbound/smtp-receiver.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import {
  customerMessages,
  inboundTestEnv,
  submitTicket,
  waitForQueueDrained,
  waitUntil,
  type MailTestEnv,
} from './inbound-setup.js';

describe('inbound SMTP receiver', () => {
  let env: MailTestEnv;
  let receiver: SmtpReceiver;
  let pgProxy: TcpProxy;
  let flakyCtx: AppContext;
  let flakyReceiver: SmtpReceiver;

  before(async () => {
    env = await inboundTestEnv();
    receiver = await startSmtpReceiver(env.ctx, { port: 0, host: '127.0.0.1' });
    // A second receiver whose database connections go through a proxy the tests can take down.
    const dbUrl = new URL(env.t.database.url);
    pgProxy = await startTcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
    dbUrl.hostname = '127.0.0.1';
    dbUrl.port = String(pgProxy.port);
    flakyCtx = { ...env.ctx, db: createDb(dbUrl.toString(), { max: 2, connectionTimeoutMillis: 2_000 }) };
    flakyReceiver = await startSmtpReceiver(flakyCtx, { port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await receiver.stop();
    await flakyReceiver.stop();
    await flakyCtx.db.close();
    await pgProxy.close();
    await env.close();
  });

  // Loopback has no trusted certificate: plain SMTP (real MTAs use the receiver's STARTTLS).
  const sender = (port: number) => nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });

  const storedWithMessageId = async (messageId: string) =>
    (
      await env.ctx.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbound_mails WHERE message_id = $1`, [
        messageId,
      ])
    ).rows[0]!.n;

  async function threadHas(ticketId: string, messageId: string) {
    return waitUntil(async () => {
      const rows = await customerMessages(env, ticketId);
      return rows.some((r) => r.message_id === messageId) && rows;
    }, `message ${messageId} is in the thread of ${ticketId}`);
  }

  test('when a customer replies to the reply address, then the mail lands in that ticket thread', async () => {
    const ticket = await submitTicket(env, 'rita@example.com', 'Broken hinge');
    const messageId = '<reply-1@mail.example.com>';
    const info = await sender(receiver.port).sendMail({
      from: 'Rita <rita@example.com>',
      to: ticket.vars.REPLY_TO,
      subject: `Re: [${ticket.ticketNumber}] Broken hinge`,
      text: 'It is the left one.\n',
      messageId,
      inReplyTo: ticket.vars.OUR_MESSAGE_ID,
    });
    assert.match(info.response, /^250 /);
    const rows = await threadHas(ticket.id, messageId);
    const reply = rows.find((r) => r.message_id === messageId)!;
    assert.equal(reply.kind, 'customer');
    assert.equal(reply.author_email, 'rita@example.com');
    assert.match(reply.body_text, /It is the left one/);
    const { rows: stored } = await env.ctx.db.pool.query(
      `SELECT channel, envelope_from, envelope_to FROM inbound_mails WHERE message_id = $1`,
      [messageId],
    );
    assert.deepEqual(stored, [{ channel: 'smtp', envelope_from: 'rita@example.com', envelope_to: [ticket.vars.REPLY_TO] }]);
  });

  test('when replies stream in over five connections while batches run, then each is in its thread once and no job is left', async () => {
    // Stores made while a batch holds the inbound queue queue their job without waking the
    // workers (inbound.store.ts): the running batch or the next fetch must still take every one.
    const tickets = [
      await submitTicket(env, 'stream1@example.com', 'Stream one'),
      await submitTicket(env, 'stream2@example.com', 'Stream two'),
      await submitTicket(env, 'stream3@example.com', 'Stream three'),
    ];
    const pool = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, ignoreTLS: true, pool: true, maxConnections: 5 });
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => {
          const ticket = tickets[i % 3]!;
          return pool.sendMail({
            from: ticket.email,
            to: ticket.vars.REPLY_TO,
            subject: `Re: [${ticket.ticketNumber}] ${ticket.subject}`,
            text: `Update number ${i}.\n`,
            messageId: `<stream-${i}@mail.example.com>`,
          });
        }),
      );
    } finally {
      pool.close();
    }
    for (const ticket of tickets) {
      await waitUntil(async () => (await customerMessages(env, ticket.id)).length === 20, `20 replies in ${ticket.ticketNumber}`);
    }
    await waitForQueueDrained(env.ctx);
    const { rows } = await env.ctx.db.pool.query<{ processed: number; jobs: number }>(
      `SELECT (SELECT count(*) FROM inbound_mails WHERE message_id LIKE '<stream-%' AND status = 'processed')::int AS processed,
         (SELECT count(*) FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
          WHERE t.identifier = 'inbound_process')::int AS jobs`,
    );
    assert.deepEqual(rows[0], { processed: 60, jobs: 0 });
  });

  test('when a recipient is outside the INBOUND_ADDRESS domain, then it is refused with 550 and nothing is stored', async () => {
    const messageId = '<relay-1@spam.example>';
    await assert.rejects(
      sender(receiver.port).sendMail({
        from: 'spammer@spam.example',
        to: 'victim@elsewhere.example',
        subject: 'relay?',
        text: 'x',
        messageId,
      }),
      (err: Error & { responseCode?: number; rejected?: string[] }) => {
        assert.equal(err.responseCode, 550);
        assert.deepEqual(err.rejected, ['victim@elsewhere.example']);
        return true;
      },
    );
    assert.equal(await storedWithMessageId(messageId), 0);
  });

  test('when the database is down while mail arrives, then SMTP answers 451 and the retry is delivered once it is back', async () => {
    const ticket = await submitTicket(env, 'dora@example.com', 'Late parcel');
    const mail = {
      from: 'dora@example.com',
      to: ticket.vars.REPLY_TO,
      subject: `Re: [${ticket.ticketNumber}] Late parcel`,
      text: 'Still nothing here.\n',
      messageId: '<db-down-1@mail.example.com>',
    };
    pgProxy.down();
    await assert.rejects(sender(flakyReceiver.port).sendMail(mail), (err: Error & { responseCode?: number }) => {
      assert.equal(err.responseCode, 451, `temporary failure, got: ${err.message}`);
      return true;
    });
    assert.equal(await storedWithMessageId(mail.messageId), 0);
    // The database is back; the sending MTA retries the message it kept.
    pgProxy.up();
    const info = await sender(flakyReceiver.port).sendMail(mail);
    assert.match(info.response, /^250 /);
    const rows = await threadHas(ticket.id, mail.messageId);
    assert.equal(rows.filter((r) => r.message_id === mail.messageId).length, 1);
    assert.equal(await storedWithMessageId(mail.messageId), 1);
  });

  test('when the connection is cut mid-DATA, then nothing is stored and the sender retry is delivered exactly once', async () => {
    const ticket = await submitTicket(env, 'kim@example.com', 'Wrong colour');
    const messageId = '<mid-data-1@mail.example.com>';
    const message =
      `From: kim@example.com\r\nTo: ${ticket.vars.REPLY_TO}\r\nSubject: Re: [${ticket.ticketNumber}] Wrong colour\r\n` +
      `Message-ID: ${messageId}\r\nDate: ${new Date().toUTCString()}\r\n\r\n` +
      `I ordered blue.\r\n${'More detail on the order. '.repeat(200)}\r\n`;
    // A raw SMTP session that stops halfway through the message, like a crashed sending MTA.
    const closed = await new Promise<string[]>((resolve, reject) => {
      const socket = net.connect(receiver.port, '127.0.0.1');
      const replies: string[] = [];
      const steps = [
        'EHLO sender.example\r\n',
        'MAIL FROM:<kim@example.com>\r\n',
        `RCPT TO:<${ticket.vars.REPLY_TO}>\r\n`,
        'DATA\r\n',
      ];
      let buffer = '';
      socket.on('data', (d) => {
        buffer += d.toString();
        // One reply per step (multi-line EHLO replies end with a "250 " line).
        while (/^\d{3} .*\r\n/m.test(buffer)) {
          const end = buffer.search(/^\d{3} .*\r\n/m);
          const line = buffer.slice(end).split('\r\n')[0]!;
          buffer = buffer.slice(end + line.length + 2);
          replies.push(line);
          const next = steps.shift();
          if (next) socket.write(next);
          else if (line.startsWith('354')) {
            socket.write(message.slice(0, Math.floor(message.length / 2)));
            socket.destroy();
            resolve(replies);
          }
        }
      });
      socket.on('error', reject);
    });
    assert.match(closed.at(-1)!, /^354 /, 'the cut came after DATA was accepted');
    // The sender never got its 250, so it retries the whole message.
    const info = await sender(receiver.port).sendMail({
      envelope: { from: 'kim@example.com', to: [ticket.vars.REPLY_TO!] },
      raw: message,
    });
    assert.match(info.response, /^250 /);
    await threadHas(ticket.id, messageId);
    await waitForQueueDrained(env.ctx);
    assert.equal(await storedWithMessageId(messageId), 1);
    const thread = await customerMessages(env, ticket.id);
    assert.equal(thread.filter((r) => r.message_id === messageId).length, 1);
    const { rows } = await env.ctx.db.pool.query(`SELECT size FROM inbound_mails WHERE message_id = $1`, [messageId]);
    assert.equal(rows[0].size, Buffer.byteLength(message), 'the stored mail is the whole message');
  });
});

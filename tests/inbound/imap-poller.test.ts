// IMAP polling against a real IMAP server (Debian dovecot-imapd, private config and maildir in a
// temp folder) with the real store → worker → thread path. The test's own imapflow client APPENDs
// customer replies to the mailbox as a provider would deliver them. The poller talks to dovecot
// through a TCP proxy so a connection can be cut at an exact protocol step: while the message body
// is on the wire (nothing stored, fetched again), and after the store committed but before the
// \Seen flag / MOVE reached the server (fetched again, deduplicated by Message-ID). With the
// database down the message stays unseen in the mailbox until it can be committed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import type { AppContext } from '../../src/context.js';
import { createDb } from '../../src/db/client.js';
import { parseImapUrl, startImapPoller, type ImapPoller } from '../../src/inbound/imap-poller.js';
import { findDovecot, startDovecot, DOVECOT_MISSING, type Dovecot } from '../helpers/dovecot.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { customerMessages, inboundTestEnv, submitTicket, waitUntil, type MailTestEnv } from './inbound-setup.js';

const dovecotBinary = findDovecot();

describe('IMAP polling', { skip: dovecotBinary ? false : DOVECOT_MISSING }, () => {
  let env: MailTestEnv;
  let dovecot: Dovecot;
  let imapProxy: TcpProxy;
  let client: ImapFlow;
  let seq = 0;

  before(async () => {
    env = await inboundTestEnv();
    dovecot = await startDovecot(dovecotBinary!);
    imapProxy = await startTcpProxy({ host: dovecot.host, port: dovecot.port });
    client = new ImapFlow(dovecot.clientOptions);
    await client.connect();
  });
  after(async () => {
    await client?.logout().catch(() => undefined);
    await imapProxy?.close();
    await dovecot?.stop();
    await env?.close();
  });

  /** INBOUND_IMAP_URL of the mailbox, through the proxy. */
  const proxiedUrl = () => dovecot.url.replace(`:${dovecot.port}/`, `:${imapProxy.port}/`);
  const poll = (ctx: AppContext, opts: { doneFolder?: string | null } = {}) =>
    startImapPoller(ctx, {
      url: proxiedUrl(),
      folder: 'INBOX',
      doneFolder: null,
      intervalMs: 300,
      retryMs: 50,
      ...opts,
    });

  /** A customer's reply to their ticket, as it sits in the support mailbox. */
  async function appendReply(ticket: Awaited<ReturnType<typeof submitTicket>>, body: string, folder = 'INBOX') {
    const messageId = `<imap-${++seq}-${Date.now()}@mail.example.com>`;
    const raw = [
      `From: Customer <${ticket.email}>`,
      `To: ${ticket.vars.REPLY_TO}`,
      `Subject: Re: [${ticket.ticketNumber}] ${ticket.subject}`,
      `Message-ID: ${messageId}`,
      `In-Reply-To: ${ticket.vars.OUR_MESSAGE_ID}`,
      `Date: ${new Date().toUTCString()}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n');
    await client.append(folder, raw);
    return messageId;
  }

  const threadCount = async (ticketId: string, messageId: string) =>
    (await customerMessages(env, ticketId)).filter((m) => m.message_id === messageId).length;
  const inThread = (ticketId: string, messageId: string) =>
    waitUntil(async () => (await threadCount(ticketId, messageId)) === 1, `${messageId} is in the thread`);

  /** Flags (and folder) of the mailbox message with this Message-ID, as the IMAP server holds it. */
  async function mailboxState(messageId: string): Promise<{ folder: string; seen: boolean } | null> {
    for (const folder of ['INBOX', 'Done']) {
      const lock = await client.getMailboxLock(folder);
      try {
        const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
        if (uids.length > 1) throw new Error(`${messageId} is in ${folder} ${uids.length} times`);
        if (uids.length === 1) {
          const msg = await client.fetchOne(String(uids[0]), { flags: true }, { uid: true });
          return { folder, seen: !!msg && !!msg.flags?.has('\\Seen') };
        }
      } finally {
        lock.release();
      }
    }
    return null;
  }
  const stateIs = (messageId: string, want: { folder: string; seen: boolean }) =>
    waitUntil(
      async () => {
        const s = await mailboxState(messageId);
        return s?.folder === want.folder && s.seen === want.seen && s;
      },
      `${messageId} is ${JSON.stringify(want)} in the mailbox`,
    );

  test('parseImapUrl reads host, port, TLS and URL-encoded credentials, and refuses other schemes', () => {
    assert.deepEqual(parseImapUrl('imaps://support%40desk.test:p%40ss@imap.example.com/'), {
      host: 'imap.example.com',
      port: 993,
      secure: true,
      auth: { user: 'support@desk.test', pass: 'p@ss' },
    });
    assert.equal(parseImapUrl('imap://u:p@localhost:1143/').port, 1143);
    assert.equal(parseImapUrl('imap://u:p@localhost/').secure, false);
    assert.throws(() => parseImapUrl('http://u:p@localhost/'), /imap:\/\/ or imaps:\/\//);
    assert.throws(() => parseImapUrl('imaps://imap.example.com/'), /user name/);
  });

  test('when a reply arrives in the mailbox, then it lands in its thread and is flagged seen only after', async () => {
    const ticket = await submitTicket(env, 'imap-one@example.com', 'Parcel lost');
    const poller = await poll(env.ctx);
    try {
      const messageId = await appendReply(ticket, 'Still nothing here.');
      await inThread(ticket.id, messageId);
      await stateIs(messageId, { folder: 'INBOX', seen: true });
      const stored = await env.ctx.db.pool.query(
        `SELECT channel::text AS channel FROM inbound_mails WHERE message_id = $1`,
        [messageId],
      );
      assert.deepEqual(stored.rows, [{ channel: 'imap' }]);
      // A second reply while the poller idles is picked up too (IDLE wakes it; no restart).
      const second = await appendReply(ticket, 'Any news?');
      await inThread(ticket.id, second);
    } finally {
      await poller.stop();
    }
  });

  test('with a done folder, a committed message is moved there and the same mail appended twice is one message', async () => {
    const ticket = await submitTicket(env, 'imap-move@example.com', 'Wrong size');
    const poller = await poll(env.ctx, { doneFolder: 'Done' });
    try {
      const messageId = await appendReply(ticket, 'I need a medium.');
      await inThread(ticket.id, messageId);
      await stateIs(messageId, { folder: 'Done', seen: false });
      // The provider delivers the same mail again (e.g. also copied by a filter rule).
      await client.append('INBOX', await rawOf(messageId, 'Done'));
      await waitUntil(async () => (await doneCount(messageId)) === 2, 'the copy was fetched and moved too');
      await waitUntil(
        async () => (await outcomes(messageId)).length === 2 && !(await outcomes(messageId)).includes(null),
        'both copies were processed',
      );
      // Stored twice (raw first, always), threaded once: the second copy is a duplicate.
      assert.deepEqual((await outcomes(messageId)).sort(), ['appended', 'duplicate']);
      assert.equal(await threadCount(ticket.id, messageId), 1);
    } finally {
      await poller.stop();
    }
  });

  test('when the connection drops while the message body is on the wire, then it is fetched again and stored once', async () => {
    const ticket = await submitTicket(env, 'imap-cut@example.com', 'Refund please');
    let cutAt = 0;
    // The server's FETCH answer carrying the body literal never reaches the poller.
    imapProxy.cutWhen({
      direction: 'toClient',
      match: /FETCH \(.*BODY\[\] \{\d+\}/s,
      onCut: () => (cutAt = Date.now()),
    });
    const messageId = await appendReply(ticket, 'Please refund to my card.');
    const poller = await poll(env.ctx);
    try {
      await inThread(ticket.id, messageId);
      assert.ok(cutAt > 0, 'the connection was cut mid-fetch');
      await stateIs(messageId, { folder: 'INBOX', seen: true });
      assert.equal(await storedCount(messageId), 1);
      assert.equal(await threadCount(ticket.id, messageId), 1);
    } finally {
      await poller.stop();
    }
  });

  test('when the connection drops after the commit but before the flag, then the refetch is deduplicated', async () => {
    const ticket = await submitTicket(env, 'imap-flag@example.com', 'Damaged box');
    let cut = false;
    // The poller's STORE +FLAGS (\Seen) — sent only after COMMIT — is lost with the connection.
    imapProxy.cutWhen({ direction: 'toServer', match: /UID STORE \d+ \+FLAGS/i, onCut: () => (cut = true) });
    const messageId = await appendReply(ticket, 'Photos attached soon.');
    const poller = await poll(env.ctx);
    try {
      await inThread(ticket.id, messageId);
      await stateIs(messageId, { folder: 'INBOX', seen: true });
      assert.ok(cut, 'the flag command was cut');
      // Fetched and stored again after the reconnect (raw always first), but one thread message.
      await waitUntil(async () => {
        const o = await outcomes(messageId);
        return o.length === 2 && !o.includes(null) && o;
      }, 'both fetches were processed');
      assert.deepEqual((await outcomes(messageId)).sort(), ['appended', 'duplicate']);
      assert.equal(await threadCount(ticket.id, messageId), 1);
    } finally {
      await poller.stop();
    }
  });

  test('when the database is down, then the message stays unseen in the mailbox and is stored once it is back', async () => {
    const ticket = await submitTicket(env, 'imap-db@example.com', 'Missing manual');
    const dbUrl = new URL(env.t.database.url);
    const pgProxy = await startTcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
    dbUrl.hostname = '127.0.0.1';
    dbUrl.port = String(pgProxy.port);
    const flakyCtx: AppContext = {
      ...env.ctx,
      db: createDb(dbUrl.toString(), { max: 2, connectionTimeoutMillis: 1_000 }),
    };
    pgProxy.down();
    const poller = await poll(flakyCtx);
    try {
      const messageId = await appendReply(ticket, 'Where is the manual?');
      // Several polling attempts fail meanwhile; the mailbox keeps the message as it was.
      await new Promise((r) => setTimeout(r, 1_500));
      assert.deepEqual(await mailboxState(messageId), { folder: 'INBOX', seen: false });
      assert.equal(await storedCount(messageId), 0);
      pgProxy.up();
      await inThread(ticket.id, messageId);
      await stateIs(messageId, { folder: 'INBOX', seen: true });
      assert.equal(await storedCount(messageId), 1);
    } finally {
      await poller.stop();
      await flakyCtx.db.close();
      await pgProxy.close();
    }
  });

  const storedCount = async (messageId: string) =>
    (
      await env.ctx.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbound_mails WHERE message_id = $1`, [
        messageId,
      ])
    ).rows[0]!.n;

  const outcomes = async (messageId: string) =>
    (
      await env.ctx.db.pool.query<{ outcome: string | null }>(
        `SELECT outcome FROM inbound_mails WHERE message_id = $1 ORDER BY id`,
        [messageId],
      )
    ).rows.map((r) => r.outcome);

  async function doneCount(messageId: string): Promise<number> {
    const lock = await client.getMailboxLock('Done');
    try {
      return ((await client.search({ header: { 'message-id': messageId } }, { uid: true })) || []).length;
    } finally {
      lock.release();
    }
  }

  async function rawOf(messageId: string, folder: string): Promise<Buffer> {
    const lock = await client.getMailboxLock(folder);
    try {
      const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
      const msg = await client.fetchOne(String(uids[0]), { source: true }, { uid: true });
      assert.ok(msg && msg.source);
      return msg.source;
    } finally {
      lock.release();
    }
  }
});

// IMAP polling of a support mailbox (INBOUND_IMAP_URL; off when unset), for setups where mail
// lands at a provider (Gmail, Fastmail, Microsoft 365) instead of our SMTP receiver. Each cycle
// fetches the UNSEEN messages' full source, stores each one (storeInboundMail, resolves after
// COMMIT) and ONLY THEN flags it \Seen or moves it to INBOUND_IMAP_DONE_FOLDER. So a connection
// dropped at any point loses nothing: a message not yet stored is still unseen, and one stored
// but not yet flagged is fetched and stored again next time — processing dedupes by Message-ID,
// so it is still one thread message. Between cycles the connection IDLEs (imapflow's auto-IDLE),
// so new mail is picked up within seconds; INBOUND_IMAP_INTERVAL_SECONDS bounds the wait anyway.
// One instance polls a mailbox at a time (a PostgreSQL advisory lock per cycle); errors end the
// connection and it is made again with back-off, never ending the process.
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { AppContext } from '../context.js';
import { storeInboundMail } from './inbound.store.js';

/** Messages per cycle: a large backlog is worked off in bounded steps, the next cycle follows at once. */
const BATCH = 50;

export interface ImapPoller {
  /** Lets the message being handled finish, logs out. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ImapPollerOptions {
  /** Defaults: INBOUND_IMAP_URL, INBOUND_IMAP_FOLDER, INBOUND_IMAP_DONE_FOLDER, INBOUND_IMAP_INTERVAL_SECONDS. */
  url?: string;
  folder?: string;
  doneFolder?: string | null;
  intervalMs?: number;
  /** First reconnect delay (doubles up to maxRetryMs). Defaults 1 s and 5 minutes. */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface ImapAccount {
  host: string;
  port: number;
  secure: boolean;
  auth: { user: string; pass: string };
}

/** imap://user:pass@host:143/ or imaps://user:pass@host:993/ (user and password URL-encoded: `%40` for @). */
export function parseImapUrl(url: string): ImapAccount {
  const u = new URL(url);
  const secure = u.protocol === 'imaps:';
  if (!secure && u.protocol !== 'imap:') throw new Error('INBOUND_IMAP_URL must be an imap:// or imaps:// URL');
  if (!u.username) throw new Error('INBOUND_IMAP_URL needs a user name: imaps://user:password@host/');
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
  };
}

export async function startImapPoller(ctx: AppContext, opts: ImapPollerOptions = {}): Promise<ImapPoller> {
  const url = opts.url ?? ctx.config.INBOUND_IMAP_URL;
  if (!url) throw new Error('startImapPoller: INBOUND_IMAP_URL is not set');
  const account = parseImapUrl(url);
  const folder = opts.folder ?? ctx.config.INBOUND_IMAP_FOLDER;
  const doneFolder = opts.doneFolder === undefined ? (ctx.config.INBOUND_IMAP_DONE_FOLDER ?? null) : opts.doneFolder;
  const intervalMs = opts.intervalMs ?? ctx.config.INBOUND_IMAP_INTERVAL_SECONDS * 1000;
  const firstRetryMs = opts.retryMs ?? 1_000;
  const maxRetryMs = opts.maxRetryMs ?? 300_000;
  // Never the password in logs.
  const where = { host: account.host, port: account.port, user: account.auth.user, folder };
  const logger = ctx.logger.child({ component: 'imap-poller', ...where });
  // Per mailbox: two instances polling the same one would store every message twice.
  const lockKey = `${account.auth.user}@${account.host}:${account.port}/${folder}`;

  let stopping = false;
  let current: ImapFlow | undefined;
  /** Ends the current wait (between cycles, or before a reconnect) early. */
  let wake: (() => void) | undefined;

  /** One cycle under the advisory lock; false when another instance holds it. */
  const pollOnce = async (client: ImapFlow): Promise<{ stored: number; more: boolean } | false> => {
    const db = await ctx.db.pool.connect();
    let dbFailed = false;
    try {
      await db.query('BEGIN');
      const { rows } = await db.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtext('contactdesk.imap-poller'), hashtext($1)) AS ok`,
        [lockKey],
      );
      if (!rows[0]!.ok) return false;
      const mailbox = await client.getMailboxLock(folder);
      try {
        const found = (await client.search({ seen: false, deleted: false }, { uid: true })) || [];
        const uids = found.sort((a, b) => a - b).slice(0, BATCH);
        let stored = 0;
        for (const uid of uids) {
          if (stopping) break;
          // BODY.PEEK[]: fetching does not set \Seen; only the explicit flag below does.
          const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (!msg || !msg.source) continue; // expunged meanwhile by someone else
          const { id } = await storeInboundMail(ctx, { raw: msg.source, channel: 'imap' });
          // Committed: only now may the mailbox forget it.
          if (doneFolder) await client.messageMove(String(uid), doneFolder, { uid: true });
          else await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          stored++;
          logger.info({ inboundMailId: id, uid, size: msg.source.length }, 'mail fetched');
        }
        return { stored, more: found.length > uids.length };
      } finally {
        mailbox.release();
      }
    } catch (err) {
      dbFailed = !(err as { authenticationFailed?: boolean }).authenticationFailed && !!(err as { code?: string }).code;
      throw err;
    } finally {
      await db.query('COMMIT').catch(() => (dbFailed = true));
      // A connection that failed is discarded rather than handed back to the pool.
      db.release(dbFailed);
    }
  };

  /** Resolves after `ms`, on new mail in the IDLEd mailbox, when the connection closes, or on stop. */
  const pause = (ms: number, client?: ImapFlow) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client?.off('exists', done);
        client?.off('close', done);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      client?.on('exists', done);
      client?.on('close', done);
      wake = done;
    });

  const loop = async () => {
    let retryMs = firstRetryMs;
    while (!stopping) {
      const client = new ImapFlow({ ...account, logger: false } satisfies ImapFlowOptions);
      current = client;
      // imapflow reports socket errors as events: without a listener they would end the process.
      client.on('error', (err: Error) => logger.warn({ err }, 'IMAP connection error'));
      try {
        await client.connect();
        while (!stopping && client.usable) {
          const result = await pollOnce(client);
          retryMs = firstRetryMs;
          if (result === false) logger.debug('another instance is polling this mailbox');
          if (result && result.more) continue;
          await pause(intervalMs, client);
        }
      } catch (err) {
        if (!stopping) logger.warn({ err, retryMs }, 'IMAP polling failed; reconnecting');
      } finally {
        if (client.usable) await client.logout().catch(() => client.close());
        else client.close();
        current = undefined;
      }
      if (stopping) break;
      await pause(retryMs);
      retryMs = Math.min(retryMs * 2, maxRetryMs);
    }
  };

  logger.info({ doneFolder, intervalMs }, 'IMAP poller started');
  const running = loop().catch((err) => logger.error({ err }, 'IMAP poller stopped unexpectedly'));
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        wake?.();
        // The message being stored gets its flag; a connection stuck on the network does not hold shutdown.
        const force = setTimeout(() => current?.close(), 5_000);
        await running;
        clearTimeout(force);
        logger.info('IMAP poller stopped');
      })()),
  };
}

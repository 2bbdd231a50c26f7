// The built-in SMTP receiver (INBOUND_SMTP_PORT; off when unset): the target of an MX record or
// of a relay that forwards the support mailbox. It accepts mail only for the INBOUND_ADDRESS
// domain (anything else is 550: never an open relay) and answers 250 only after the raw message
// is committed (storeInboundMail). When storing fails — the database is down — it answers 451,
// so the sending MTA keeps the message and retries: what the receiver accepted is never lost,
// and a connection cut mid-DATA stores nothing (the sender did not get its 250 and retries).
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AppContext } from '../context.js';
import { storeInboundMail, type RawInbound } from './inbound.store.js';

/** Advertised as SIZE; smtp-server answers 552 above it. Bigger than any provider's usual 25 MB. */
export const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;
/** Concurrent SMTP sessions; each holds at most one message in memory. */
const MAX_CLIENTS = 50;
/** On shutdown, sessions get this long to finish (a message being stored gets its answer). */
const CLOSE_TIMEOUT_MS = 10_000;

export interface SmtpReceiver {
  readonly port: number;
  /** Stops accepting, lets running sessions finish (up to CLOSE_TIMEOUT_MS). Safe to call twice. */
  stop(): Promise<void>;
}

export interface SmtpReceiverOptions {
  /** Default INBOUND_SMTP_PORT (0: any free port, for tests). */
  port?: number;
  /** Default INBOUND_SMTP_HOST. */
  host?: string;
}

const smtpError = (message: string, responseCode: number) => Object.assign(new Error(message), { responseCode });

/** The domain the receiver accepts mail for: INBOUND_ADDRESS's, e.g. `desk.example`. */
function acceptedDomain(ctx: AppContext): string {
  const address = ctx.config.INBOUND_ADDRESS;
  if (!address) {
    // Without it there is no address to receive for and no reply address in our mails.
    throw new Error(
      'INBOUND_SMTP_PORT is set but INBOUND_ADDRESS is not: set the support address mail is received for',
    );
  }
  return address.split('@')[1]!.toLowerCase();
}

/** Reads the DATA stream into one Buffer; null when the message went over the size limit. */
function readMessage(stream: SMTPServerDataStream): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      // Over the limit the rest is drained, not kept: smtp-server answers 552 itself.
      if (!stream.sizeExceeded) chunks.push(chunk);
    });
    stream.once('end', () => resolve(stream.sizeExceeded ? null : Buffer.concat(chunks)));
    // The client went away mid-DATA (smtp-server destroys the stream with an error).
    stream.once('error', reject);
  });
}

export async function startSmtpReceiver(ctx: AppContext, opts: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const domain = acceptedDomain(ctx);
  const logger = ctx.logger.child({ component: 'smtp-receiver' });
  const server = new SMTPServer({
    name: domain,
    banner: 'ContactDesk inbound',
    size: MAX_MESSAGE_BYTES,
    // Inbound MX traffic is unauthenticated; AUTH is not offered (nothing to log in to).
    authOptional: true,
    disabledCommands: ['AUTH'],
    maxClients: MAX_CLIENTS,
    // The sender's reverse DNS name is used for nothing here (no Received header is written, no
    // policy reads it): skip the lookup each connection would wait for before its greeting.
    disableReverseLookup: true,
    closeTimeout: CLOSE_TIMEOUT_MS,
    logger: false,
    onRcptTo(address, _session, callback) {
      const at = address.address.lastIndexOf('@');
      const rcptDomain = at > 0 ? address.address.slice(at + 1).toLowerCase() : '';
      if (rcptDomain !== domain) {
        return callback(smtpError(`5.7.1 Relaying denied: this server only accepts mail for @${domain}`, 550));
      }
      callback();
    },
    onData(stream, session, callback) {
      void receive(stream, session).then(
        () => callback(),
        (err: Error & { responseCode?: number }) => callback(err),
      );
    },
  });

  const receive = async (stream: SMTPServerDataStream, session: SMTPServerSession) => {
    let raw: Buffer | null;
    try {
      raw = await readMessage(stream);
    } catch (err) {
      logger.info({ err, remote: session.remoteAddress }, 'connection closed mid-DATA: nothing stored');
      throw err;
    }
    if (!raw) return; // smtp-server sends the 552
    const mail: RawInbound = {
      raw,
      channel: 'smtp',
      envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
      envelopeTo: session.envelope.rcptTo.map((r) => r.address),
    };
    try {
      const { id } = await storeInboundMail(ctx, mail);
      logger.info({ inboundMailId: id, size: raw.length, remote: session.remoteAddress }, 'mail received');
    } catch (err) {
      // 451: the sender keeps the message and tries again later (RFC 5321 4.2.5).
      logger.error({ err, size: raw.length, remote: session.remoteAddress }, 'could not store mail; answered 451');
      throw smtpError('4.3.0 Temporary local problem, please try again later', 451);
    }
  };

  // A socket error (a client resetting its connection) must not end the process.
  server.on('error', (err) => logger.warn({ err }, 'SMTP receiver connection error'));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(opts.port ?? ctx.config.INBOUND_SMTP_PORT ?? 0, opts.host ?? ctx.config.INBOUND_SMTP_HOST, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  logger.info({ port, domain }, 'SMTP receiver listening');

  let stopped: Promise<void> | undefined;
  return {
    port,
    stop: () => (stopped ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

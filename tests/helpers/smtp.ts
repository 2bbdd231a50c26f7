// A real SMTP server on a random loopback port that keeps what it receives, parsed by mailparser.
// It can be stopped and started again on the same port (an outage), told to answer every message
// with a temporary error (451 after DATA) or to refuse connections (421), and waited on.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { freePort } from './ports.js';

export interface ReceivedMail {
  parsed: ParsedMail;
  /** The message exactly as received (headers and bodies). */
  raw: string;
  envelope: { from: string; to: string[] };
}

export type SinkMode = 'accept' | 'reject' | 'refuse';

export interface SmtpSink {
  readonly port: number;
  /** smtp://127.0.0.1:<port> — what SMTP_URL should be. */
  readonly url: string;
  readonly messages: ReceivedMail[];
  /** accept (default) · reject: 451 after the message data · refuse: 421 at connect. */
  mode: SinkMode;
  stop(): Promise<void>;
  start(): Promise<void>;
  clear(): void;
  /** Resolves once at least `count` messages arrived; rejects after `timeoutMs` (default 30 s). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Messages whose To includes `address`. */
  to(address: string): ReceivedMail[];
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let server: SMTPServer | undefined;

  const sink: SmtpSink = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    mode: 'accept',
    async start() {
      const options: SMTPServerOptions = {
        // Plain SMTP on loopback: no STARTTLS (a self-signed certificate would fail verification).
        disabledCommands: ['STARTTLS'],
        authOptional: true,
        logger: false,
        onConnect(_session, callback) {
          if (sink.mode === 'refuse') return callback(smtpError('Service not available, try later', 421));
          callback();
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            // Reject only after the whole message was transmitted: the sender must not count it as sent.
            if (sink.mode === 'reject') return callback(smtpError('Temporary local problem, try later', 451));
            const raw = Buffer.concat(chunks);
            simpleParser(raw)
              .then((parsed) => {
                messages.push({
                  parsed,
                  raw: raw.toString('utf8'),
                  envelope: {
                    from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                    to: session.envelope.rcptTo.map((r) => r.address),
                  },
                });
                for (const w of waiters) w();
                callback();
              })
              .catch((err: Error) => callback(err));
          });
        },
      };
      server = new SMTPServer(options);
      server.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      // smtp-server waits for open connections; nodemailer closes its own after each message.
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    clear() {
      messages.length = 0;
    },
    async waitFor(count, timeoutMs = 30_000) {
      if (messages.length >= count) return messages.slice();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(messages.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    to(address) {
      const a = address.toLowerCase();
      return messages.filter((m) => m.envelope.to.some((t) => t.toLowerCase() === a));
    },
  };
  await sink.start();
  return sink;
}

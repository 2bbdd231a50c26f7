// Where mail goes: the SMTP server in SMTP_URL, or, when it is unset (the zero-configuration
// default), a folder of .eml files (DATA_DIR/outbox) that any mail client can open — so a newcomer
// sees real messages without running an SMTP server.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export interface SendResult {
  messageId: string;
  /** SMTP server reply ("250 OK ...") or the .eml path for the outbox. */
  response: string;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  /** Human-readable destination for logs (SMTP host, never the password; or the outbox folder). */
  readonly destination: string;
  /** `fileStem` names the .eml file in outbox mode (a resend overwrites the same file). */
  send(message: SendMailOptions, opts: { fileStem: string; logger?: Logger }): Promise<SendResult>;
  close(): void;
}

/** Seconds, not nodemailer's minutes: a hung server should fail the attempt and let the job retry. */
const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };

export function outboxDir(config: Pick<Config, 'DATA_DIR'>): string {
  return path.resolve(config.DATA_DIR, 'outbox');
}

export function createMailTransport(config: Pick<Config, 'SMTP_URL' | 'DATA_DIR'>, logger: Logger): MailTransport {
  return config.SMTP_URL ? smtpTransport(config.SMTP_URL) : outboxTransport(outboxDir(config), logger);
}

/** Host and port only: the URL may carry credentials. */
export function describeSmtpUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
}

function smtpTransport(url: string): MailTransport {
  // nodemailer parses the URL itself (smtp:// or smtps://, user:pass, ?tls.rejectUnauthorized=false,
  // ?pool=true, ...); settings in the URL win over the timeouts given here.
  const transporter = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS });
  return {
    kind: 'smtp',
    destination: describeSmtpUrl(url),
    async send(message) {
      const info = await transporter.sendMail(message);
      return { messageId: info.messageId, response: String(info.response ?? '') };
    },
    close: () => transporter.close(),
  };
}

function outboxTransport(dir: string, logger: Logger): MailTransport {
  // The stream transport builds the exact RFC 5322 message an SMTP server would receive.
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  let ready: Promise<unknown> | undefined;
  return {
    kind: 'outbox',
    destination: dir,
    async send(message, { fileStem, logger: log = logger }) {
      const info = await transporter.sendMail(message);
      await (ready ??= mkdir(dir, { recursive: true }));
      const file = path.join(dir, `${fileStem.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`);
      // Write then rename: a reader (or a crash) never sees half a message.
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, info.message as Buffer);
      await rename(tmp, file);
      log.info({ file, messageId: info.messageId }, 'mail written to the outbox');
      return { messageId: info.messageId, response: file };
    },
    close: () => transporter.close(),
  };
}

/**
 * At most `max` messages in flight through `transport`; the rest wait their turn. The worker
 * passes WORKER_CONCURRENCY: a mail job that took over more jobs (job-batch.ts) sends them through
 * this, so the SMTP server sees no more connections or messages at once than one per job slot,
 * as before batching (without `?pool=true` nodemailer opens a connection per message).
 */
export function limitConcurrentSends(transport: MailTransport, max: number): MailTransport {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    kind: transport.kind,
    destination: transport.destination,
    async send(message, opts) {
      if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await transport.send(message, opts);
      } finally {
        // Hand the slot straight to the next waiter (active stays), or free it.
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
    close: () => transport.close(),
  };
}

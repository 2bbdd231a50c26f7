// A real SMTP server (smtp-server on a loopback port) for the fault suite. Unlike tests/helpers/smtp.ts
// it keeps no parsed messages — at 20,000+ mails that would cost hundreds of MB — only a count per
// Message-ID, which is what "delivered exactly once" is about.
//
// A message counts as delivered at the moment the server answers 250 to its DATA, as a real MTA
// would. `hold()` makes the server sit on every message it receives before that answer: the
// sender is then stuck between "data sent" and "accepted" — a point where a sender killed outright
// has NOT delivered (its connection drops and the held message is discarded, never counted).
// stop()/start() on the same port simulate an outage: connections are cut and refused meanwhile.
import { SMTPServer } from 'smtp-server';
import { freePort } from './ports.js';
export { freePort };

export interface CountingSink {
  readonly port: number;
  /** smtp://127.0.0.1:<port> — what SMTP_URL should be. */
  readonly url: string;
  /** Message-ID → how many times it was accepted. */
  readonly counts: Map<string, number>;
  /** Messages accepted in total (duplicates included). */
  readonly total: number;
  /** Messages received and waiting for the 250 while held. */
  readonly heldCount: number;
  /** Messages that arrived without a Message-ID header (must stay 0: every mail carries one). */
  readonly withoutMessageId: number;
  hold(): void;
  /** Accepts everything held (whose sender is still connected) and stops holding. */
  release(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Message-IDs accepted more than once. */
  duplicates(): string[];
}

/** The Message-ID header of a raw message (headers end at the first empty line). */
export function messageIdOf(raw: Buffer): string | undefined {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const headers = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id:\s*(<[^>\r\n]+>)/im.exec(headers)?.[1];
}

interface Held {
  sessionId: string;
  accept: () => void;
  drop: () => void;
}

export async function startCountingSink(): Promise<CountingSink> {
  const port = await freePort();
  const counts = new Map<string, number>();
  const open = new Set<string>();
  let held: Held[] = [];
  let holding = false;
  let total = 0;
  let withoutMessageId = 0;
  let server: SMTPServer | undefined;

  const sink: CountingSink = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    counts,
    get total() {
      return total;
    },
    get heldCount() {
      return held.length;
    },
    get withoutMessageId() {
      return withoutMessageId;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      const waiting = held;
      held = [];
      for (const h of waiting) (open.has(h.sessionId) ? h.accept : h.drop)();
    },
    async start() {
      const s = new SMTPServer({
        disabledCommands: ['STARTTLS'],
        authOptional: true,
        logger: false,
        // An outage must cut live connections at once, not wait the default 30 s for them.
        closeTimeout: 100,
        onConnect(session, callback) {
          open.add(session.id);
          callback();
        },
        onClose(session) {
          open.delete(session.id);
          // The sender is gone before hearing 250: nothing was delivered.
          const mine = held.filter((h) => h.sessionId === session.id);
          held = held.filter((h) => h.sessionId !== session.id);
          for (const h of mine) h.drop();
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const id = messageIdOf(Buffer.concat(chunks));
            const accept = () => {
              total++;
              if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
              else withoutMessageId++;
              callback();
            };
            const drop = () => callback(Object.assign(new Error('Connection lost'), { responseCode: 421 }));
            if (holding && open.has(session.id)) held.push({ sessionId: session.id, accept, drop });
            else accept();
          });
        },
      });
      s.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    duplicates() {
      return [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    },
  };
  await sink.start();
  return sink;
}

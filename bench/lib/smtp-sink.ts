// A minimal SMTP sink on 127.0.0.1: accepts everything, parses nothing (so the sink costs as
// little CPU as possible), and records when each recipient's message finished arriving.
import { SMTPServer } from 'smtp-server';
import { freePort } from './net.js';

export interface BenchSmtpSink {
  url: string;
  received: number;
  bytes: number;
  /** performance.now() at the end of DATA, by envelope recipient (lower-cased). */
  arrivals: Map<string, number>;
  waitFor(count: number, timeoutMs: number): Promise<void>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startBenchSmtpSink(): Promise<BenchSmtpSink> {
  const port = await freePort();
  const waiters = new Set<() => void>();
  const sink: BenchSmtpSink = {
    url: `smtp://127.0.0.1:${port}`,
    received: 0,
    bytes: 0,
    arrivals: new Map(),
    waitFor(count, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (sink.received < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP sink: ${sink.received} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    reset() {
      sink.received = 0;
      sink.bytes = 0;
      sink.arrivals.clear();
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Otherwise every connection waits for a reverse DNS lookup of 127.0.0.1.
    disableReverseLookup: true,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      let size = 0;
      stream.on('data', (chunk: Buffer) => (size += chunk.length));
      stream.on('end', () => {
        const now = performance.now();
        sink.received++;
        sink.bytes += size;
        for (const rcpt of session.envelope.rcptTo) sink.arrivals.set(rcpt.address.toLowerCase(), now);
        for (const w of [...waiters]) w();
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});
  return sink;
}

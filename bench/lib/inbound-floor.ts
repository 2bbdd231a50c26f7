// The floor of the inbound benchmark (bench/inbound.ts), run as a process of its own like the
// product's server: what the parts cost with nothing of ours around them. An SMTP receiver
// (`smtp-server`, the product's options) that, for every message, parses it with `mailparser`,
// cuts the quoted history with `email-reply-parser`, sanitises the HTML with `sanitize-html`
// (library defaults), INSERTs one row and only then answers 250. No raw copy, no job, no matching,
// no thread, no audit, no SLA: no pipeline that does what the issue asks can be cheaper than this.
//
// Usage (from bench/inbound.ts): node --import tsx bench/lib/inbound-floor.ts <database-url> <concurrency>
// Prints `listening <port>` when ready; SIGTERM ends it.
import EmailReplyParser from 'email-reply-parser';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import sanitizeHtml from 'sanitize-html';
import { SMTPServer } from 'smtp-server';

const [url, concurrencyArg] = process.argv.slice(2);
if (!url) throw new Error('usage: inbound-floor.ts <database-url> <concurrency>');
const pool = new pg.Pool({ connectionString: url, max: Number(concurrencyArg ?? 5) });
pool.on('error', () => {});
const replyParser = new EmailReplyParser();

async function handle(raw: Buffer): Promise<void> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const text = replyParser.parseReply(parsed.text ?? '');
  const html = typeof parsed.html === 'string' ? sanitizeHtml(parsed.html) : null;
  await pool.query(
    `INSERT INTO bench_floor_mail (message_id, from_address, subject, body_text, body_html) VALUES ($1, $2, $3, $4, $5)`,
    [parsed.messageId ?? null, parsed.from?.value[0]?.address ?? null, parsed.subject ?? '', text, html],
  );
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH'],
  disableReverseLookup: true,
  size: 30 * 1024 * 1024,
  logger: false,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('error', callback);
    stream.once('end', () => {
      handle(Buffer.concat(chunks)).then(() => callback(), callback);
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.once('SIGTERM', () => {
  server.close(() => void pool.end().finally(() => process.exit(0)));
});

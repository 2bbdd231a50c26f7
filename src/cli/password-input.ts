// Where the CLI gets a password from: --password, else stdin (piped, for scripts), else an
// interactive prompt that does not echo and asks twice.
import { CliError, EXIT_USAGE } from './errors.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CliError('Cancelled', 130));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export async function readPassword(flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  if (!process.stdin.isTTY) {
    // One trailing newline is what `echo` / a here-string adds; it is not part of the password.
    const piped = (await readAll(process.stdin)).replace(/\r?\n$/, '');
    if (!piped) throw new CliError('No password given: pass --password or pipe it on stdin', EXIT_USAGE);
    return piped;
  }
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw new CliError('The two passwords differ', EXIT_USAGE);
  return first;
}

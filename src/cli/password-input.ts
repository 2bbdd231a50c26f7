// Where the CLI gets a password from: --password, else stdin. Piped stdin (scripts) is read one
// line per prompt, like an interactive answer: `printf 'pw\npw\n' | ...` is the password and its
// repetition, never the password "pw\npw". At a terminal the prompt does not echo and asks twice.
import { CliError, EXIT_USAGE } from './errors.js';

/** Lines of a stream, one per call; undefined at the end. "\r\n" counts as one line break. */
export interface LineReader {
  next(): Promise<string | undefined>;
}

export function lineReader(stream: NodeJS.ReadableStream): LineReader {
  const iterator = stream[Symbol.asyncIterator]();
  let buffered = '';
  let ended = false;
  return {
    async next() {
      for (;;) {
        const newline = buffered.indexOf('\n');
        if (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          return line.endsWith('\r') ? line.slice(0, -1) : line;
        }
        if (ended) {
          // A last line without a line break still counts; nothing at all is the end.
          const rest = buffered;
          buffered = '';
          return rest === '' ? undefined : rest;
        }
        const { value, done } = await iterator.next();
        if (done) ended = true;
        else buffered += typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('utf8');
      }
    },
  };
}

// One reader for the whole process, created on first use: every prompt takes the next line, and
// what the first read buffered beyond its line is not lost to the next one.
let stdinLines: LineReader | undefined;
function stdinLine(): Promise<string | undefined> {
  if (!stdinLines) {
    process.stdin.setEncoding('utf8'); // decodes multi-byte characters split across chunks
    stdinLines = lineReader(process.stdin);
  }
  return stdinLines.next();
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

/** A line break in a password is almost always two answers run together: refuse it. */
function refuseLineBreaks(password: string): string {
  if (/[\r\n]/.test(password)) {
    throw new CliError('The password contains a line break: give it on one line', EXIT_USAGE);
  }
  return password;
}

export async function readPassword(flag: string | undefined): Promise<string> {
  if (flag !== undefined) return refuseLineBreaks(flag);
  if (!process.stdin.isTTY) {
    const first = await stdinLine();
    if (!first) throw new CliError('No password given: pass --password or pipe it on stdin', EXIT_USAGE);
    // A second line is the repetition, as at the prompt; a script may also send the password once.
    const repeat = await stdinLine();
    if (repeat !== undefined && repeat !== first) {
      throw new CliError('The two passwords differ (piped stdin: line 1 and line 2)', EXIT_USAGE);
    }
    return refuseLineBreaks(first);
  }
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Repeat password: ');
  if (first !== second) throw new CliError('The two passwords differ', EXIT_USAGE);
  return refuseLineBreaks(first);
}

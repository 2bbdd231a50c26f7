// Shared by the attachment tests: real files (by their bytes), row counts across every table an
// upload touches, and a listening server for clients that need a real socket (fetch, raw TCP).
import type { AppContext } from '../../src/context.js';
import { listenOnLoopback, type TestApp } from '../helpers/app.js';

/** A real 1×1 PNG: file-type recognises it by its signature. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** The start of a Windows program (MZ header): refused as an executable. */
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(1022, 0x90)]);
/** An ELF binary header. */
export const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(1016, 0)]);
export const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');

export const FORM = {
  name: 'Ann Lee',
  email: 'ann@example.com',
  subject: 'Screenshot of the error',
  message: 'See the attached files.',
};
export const SUBMIT = '/api/v1/contact/submit';
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

export interface Counts {
  tickets: number;
  attachments: number;
  blobs: number;
  chunks: number;
  mails: number;
}

export async function counts(ctx: AppContext): Promise<Counts> {
  const { rows } = await ctx.db.pool.query(`SELECT
    (SELECT count(*) FROM contact_submissions)::int AS tickets,
    (SELECT count(*) FROM attachments)::int AS attachments,
    (SELECT count(*) FROM attachment_blobs)::int AS blobs,
    (SELECT count(*) FROM attachment_chunks)::int AS chunks,
    (SELECT count(*) FROM email_deliveries)::int AS mails`);
  return rows[0] as Counts;
}

/** Pseudo-random bytes (incompressible, no magic number at the start): application/octet-stream. */
export function randomBytesOf(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  // A prefix no format uses, and a NUL so it never passes for text.
  out.write('CDSK\0', 0, 'latin1');
  return out;
}

/** The app on a free loopback port (the shared test helper). */
export const listen = (t: TestApp) => listenOnLoopback(t.app);

/** Polls until `check` holds (rollback after a hang-up happens when the server notices it). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Every refusal of an upload (size, count, total, executable type, hang-up midway) answers with
// its status and a field message, and leaves nothing behind: no ticket, no attachment, no chunk.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  BROWSER_ACCEPT,
  counts,
  ELF,
  eventually,
  EXE,
  FORM,
  listen,
  PNG,
  randomBytesOf,
  SUBMIT,
  type Counts,
} from './attachment-helpers.js';

const MAX_BYTES = 600 * 1024;
const MAX_TOTAL = 1000 * 1024;

describe('attachment limits and faults', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let start: Counts;

  before(async () => {
    t = await createTestApp({
      env: {
        ATTACHMENT_MAX_BYTES: String(MAX_BYTES),
        ATTACHMENT_MAX_FILES: '3',
        ATTACHMENT_MAX_TOTAL_BYTES: String(MAX_TOTAL),
      },
    });
    server = await listen(t);
    start = await counts(t.ctx);
  });
  after(async () => {
    await server.close();
    await t.close();
  });

  const nothingWritten = async () => assert.deepEqual(await counts(t.ctx), start);

  test('when a file is over ATTACHMENT_MAX_BYTES, then 413 names it and nothing is written', async () => {
    // The large file comes after a good one: the good one's chunks must go too.
    const res = await request(t.app)
      .post(SUBMIT)
      .field(FORM)
      .attach('attachments', PNG, 'fine.png')
      .attach('attachments', randomBytesOf(MAX_BYTES + 1), 'huge.bin')
      .expect(413);
    assert.equal(res.body.error.code, 'payload_too_large');
    assert.match(res.body.error.fields.attachments[0], /"huge\.bin" is larger than 0\.6 MB \(ATTACHMENT_MAX_BYTES\)/);
    await nothingWritten();
  });

  test('when a message has more files than ATTACHMENT_MAX_FILES, then 413 and nothing is written', async () => {
    let req = request(t.app).post(SUBMIT).field(FORM);
    for (let i = 1; i <= 4; i++) req = req.attach('attachments', randomBytesOf(1000, i), `f${i}.bin`);
    const res = await req.expect(413);
    assert.match(res.body.error.fields.attachments[0], /at most 3 files per message.*"f4\.bin"/);
    await nothingWritten();
  });

  test('when the files together exceed ATTACHMENT_MAX_TOTAL_BYTES, then 413 and nothing is written', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .field(FORM)
      .attach('attachments', randomBytesOf(520 * 1024, 1), 'a.bin')
      .attach('attachments', randomBytesOf(520 * 1024, 2), 'b.bin')
      .expect(413);
    assert.match(res.body.error.fields.attachments[0], /ATTACHMENT_MAX_TOTAL_BYTES/);
    await nothingWritten();
  });

  test('when a file is an executable (whatever its name), then 415 and nothing is written', async () => {
    for (const [bytes, name] of [
      [EXE, 'holiday.jpg'],
      [ELF, 'readme.txt'],
    ] as const) {
      const res = await request(t.app)
        .post(SUBMIT)
        .field(FORM)
        .attach('attachments', bytes, { filename: name, contentType: 'image/jpeg' })
        .expect(415);
      assert.equal(res.body.error.code, 'unsupported_media_type');
      assert.match(res.body.error.fields.attachments[0], new RegExp(`"${name.replace('.', '\\.')}" is a program`));
    }
    await nothingWritten();
  });

  test('when a browser form is refused, then the HTML error page names the attachments field', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Accept', BROWSER_ACCEPT)
      .field(FORM)
      .attach('attachments', EXE, 'setup.exe')
      .expect(415);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.text, /<strong>attachments<\/strong>: &quot;setup\.exe&quot; is a program/);
    await nothingWritten();
  });

  test('when the fields are invalid, then 400 with field messages and the uploaded files are not kept', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .field({ ...FORM, email: 'not-an-email' })
      .attach('attachments', randomBytesOf(300 * 1024), 'x.bin')
      .expect(400);
    assert.ok(res.body.error.fields.email);
    await nothingWritten();
  });

  test('when a file arrives in another field than attachments, then 400 names that field', async () => {
    const res = await request(t.app).post(SUBMIT).field(FORM).attach('avatar', PNG, 'me.png').expect(400);
    assert.deepEqual(Object.keys(res.body.error.fields), ['avatar']);
    await nothingWritten();
  });

  test('when the client hangs up halfway through an upload, then nothing is written', async () => {
    const boundary = 'cdsk-boundary-1234';
    const fields = Object.entries(FORM)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('');
    const file = randomBytesOf(500 * 1024, 9);
    const head = Buffer.from(
      `${fields}--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="half.bin"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const length = head.length + file.length + tail.length;
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST ${SUBMIT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: ${length}\r\n\r\n`,
    );
    socket.write(head);
    // Half the file: more than one 256 KB chunk, so chunks were written inside the transaction.
    socket.write(file.subarray(0, 300 * 1024));
    await eventually(async () => {
      const { rows } = await t.ctx.db.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = current_database()`,
      );
      return rows[0].n > 0;
    });
    socket.destroy();
    // The server notices the hang-up and rolls back; then no connection stays in a transaction.
    await eventually(async () => {
      const { rows } = await t.ctx.db.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND datname = current_database()`,
      );
      return rows[0].n === 0;
    });
    await nothingWritten();
    // And the server is fine: the next upload goes through.
    await request(t.app).post(SUBMIT).field(FORM).attach('attachments', PNG, 'after.png').expect(201);
    const now = await counts(t.ctx);
    assert.equal(now.tickets, start.tickets + 1);
    assert.equal(now.attachments, start.attachments + 1);
  });
});

// Files on the public submit: from JavaScript (fetch + FormData) and from a plain HTML form post;
// stored by content (the same file once), typed by their bytes, listed on the thread.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUserWithToken } from '../helpers/factories.js';
import { BROWSER_ACCEPT, counts, FORM, HTML, listen, PNG, randomBytesOf, SUBMIT } from './attachment-helpers.js';

describe('attachments on POST /api/v1/contact/submit', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;

  before(async () => {
    t = await createTestApp();
    server = await listen(t);
    mod = await createUserWithToken(t.ctx, { role: 'moderator' });
  });
  after(async () => {
    await server.close();
    await t.close();
  });

  test('when a script posts FormData with two files, then the ticket and both files are stored and listed in the answer', async () => {
    const before = await counts(t.ctx);
    const big = randomBytesOf(700 * 1024, 7); // > 2 chunks of 256 KB
    const fd = new FormData();
    for (const [k, v] of Object.entries(FORM)) fd.append(k, v);
    fd.append('attachments', new Blob([PNG], { type: 'image/png' }), 'screen.png');
    fd.append('attachments', new Blob([new Uint8Array(big)], { type: 'application/zip' }), '../../etc/logs.zip');
    const res = await fetch(`${server.url}${SUBMIT}`, { method: 'POST', body: fd });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { id: string; attachments: Array<Record<string, unknown>> };
    assert.deepEqual(
      body.attachments.map((a) => [a.file_name, a.content_type, a.size]),
      [
        ['screen.png', 'image/png', PNG.length],
        ['logs.zip', 'application/octet-stream', big.length],
      ],
    );
    const after = await counts(t.ctx);
    assert.equal(after.tickets, before.tickets + 1);
    assert.equal(after.attachments, before.attachments + 2);
    assert.equal(after.chunks, before.chunks + 1 + 3, 'PNG: 1 chunk; 700 KB: 3 chunks');
    const { rows } = await t.ctx.db.pool.query(
      `SELECT file_name, declared_type, sniffed_type, size, sha256, source, ticket_message_id
       FROM attachments WHERE ticket_id = $1 ORDER BY created_at`,
      [body.id],
    );
    assert.equal(rows[1].declared_type, 'application/zip');
    assert.equal(rows[1].sha256, createHash('sha256').update(big).digest('hex'));
    assert.equal(rows[0].source, 'form');
    assert.equal(rows[0].ticket_message_id, null, 'the original message');

    // The bytes come back exactly, through the authorised route.
    const dl = await fetch(`${server.url}/api/v1/attachments/${body.attachments[1]!.id}`, { headers: mod.auth });
    assert.equal(dl.status, 200);
    assert.ok(Buffer.from(await dl.arrayBuffer()).equals(big));
  });

  test('when a browser posts the HTML form with a file input, then the thank-you page lists the files', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Accept', BROWSER_ACCEPT)
      .field(FORM)
      .field('website', '')
      .attach('attachments', PNG, { filename: 'Q1 & Q2 <b>.png', contentType: 'image/png' })
      .attach('attachments', Buffer.alloc(0), { filename: '', contentType: 'application/octet-stream' })
      .expect(201);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.text, /<li>Q1 &amp; Q2 _b_\.png \(1 KB\)<\/li>/);
    assert.equal((res.text.match(/<li>/g) ?? []).length, 1, 'an empty file input is not a file');
  });

  test('when two tickets carry the same file, then its content is stored once', async () => {
    const same = randomBytesOf(300 * 1024, 42);
    const before = await counts(t.ctx);
    for (const name of ['a.bin', 'b.bin']) {
      await request(t.app).post(SUBMIT).field(FORM).attach('attachments', same, name).expect(201);
    }
    const after = await counts(t.ctx);
    assert.equal(after.tickets - before.tickets, 2);
    assert.equal(after.attachments - before.attachments, 2);
    assert.equal(after.blobs - before.blobs, 1);
    assert.equal(after.chunks - before.chunks, 2, 'one copy of its two chunks');
  });

  test('when the thread is read, then each message lists its files with a download URL', async () => {
    const sub = await request(t.app).post(SUBMIT).field(FORM).attach('attachments', PNG, 'shot.png').expect(201);
    const thread = await request(t.app).get(`/api/v1/contact/${sub.body.id}/messages`).set(mod.auth).expect(200);
    const first = thread.body.messages[0];
    assert.equal(first.kind, 'submission');
    assert.deepEqual(first.attachments, [
      {
        id: sub.body.attachments[0].id,
        file_name: 'shot.png',
        content_type: 'image/png',
        size: PNG.length,
        download_url: `/api/v1/attachments/${sub.body.attachments[0].id}`,
      },
    ]);
    const reply = await request(t.app)
      .post(`/api/v1/contact/${sub.body.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'note', body: 'Looks like a cache problem.' })
      .expect(201);
    assert.deepEqual(reply.body.message.attachments, []);
  });

  test('when an HTML page is uploaded as .png, then it is stored as text/plain and only ever downloaded', async () => {
    const sub = await request(t.app)
      .post(SUBMIT)
      .field(FORM)
      .attach('attachments', HTML, { filename: 'cat.png', contentType: 'image/png' })
      .expect(201);
    assert.equal(sub.body.attachments[0].content_type, 'text/plain');
    const { rows } = await t.ctx.db.pool.query('SELECT declared_type, sniffed_type FROM attachments WHERE id = $1', [
      sub.body.attachments[0].id,
    ]);
    assert.deepEqual(rows[0], { declared_type: 'image/png', sniffed_type: 'text/plain' });
    const dl = await request(t.app).get(`/api/v1/attachments/${sub.body.attachments[0].id}`).set(mod.auth).expect(200);
    assert.equal(dl.headers['content-type'], 'text/plain; charset=utf-8');
    assert.match(String(dl.headers['content-disposition']), /^attachment; filename="cat\.png"/);
    assert.equal(dl.headers['x-content-type-options'], 'nosniff');
    assert.equal(dl.headers['content-security-policy'], "sandbox; default-src 'none'");
  });

  test('when an image or a text file is downloaded, then the image is inline and the SVG an attachment', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>');
    const sub = await request(t.app)
      .post(SUBMIT)
      .field(FORM)
      .attach('attachments', PNG, { filename: 'ok.png', contentType: 'image/png' })
      .attach('attachments', svg, { filename: 'logo.svg', contentType: 'image/svg+xml' })
      .expect(201);
    const [png, svgFile] = sub.body.attachments;
    const a = await request(t.app).get(`/api/v1/attachments/${png.id}`).set(mod.auth).expect(200);
    assert.equal(a.headers['content-type'], 'image/png');
    assert.match(String(a.headers['content-disposition']), /^inline; filename="ok\.png"/);
    assert.equal(a.headers['content-security-policy'], "sandbox; default-src 'none'");
    assert.ok(Buffer.from(a.body).equals(PNG));
    const b = await request(t.app).get(`/api/v1/attachments/${svgFile.id}`).set(mod.auth).expect(200);
    assert.ok(!String(b.headers['content-type']).includes('svg'));
    assert.match(String(b.headers['content-disposition']), /^attachment;/);
  });
});

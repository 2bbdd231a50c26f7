// Access export: the ZIP from GET /api/v1/privacy/export, unzipped by the system's `unzip`, holds
// the expected JSON and the exact bytes of the person's files and raw mails; the export is
// recorded; only admins may export or erase (moderators 403, nobody 401), and bad input is a 400.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import request from 'supertest';
import { postStaffMessage } from '../../src/conversation/conversation.service.js';
import { storeInboundMail } from '../../src/inbound/inbound.store.js';
import { PNG } from '../attachments/attachment-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';
import { waitUntil } from '../mail/mail-setup.js';

const run = promisify(execFile);
const EMAIL = 'Xena.Export@example.org';

/** GET with the body collected as bytes (supertest would parse or drop a zip). */
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const parts: Buffer[] = [];
  stream.on('data', (c: Buffer) => parts.push(c));
  stream.on('end', () => cb(null, Buffer.concat(parts)));
};

describe('privacy: access export', () => {
  let t: TestApp;
  let admin: TestUser;
  let adminAuth: Record<string, string>;
  let modAuth: Record<string, string>;
  let dir: string;
  before(async () => {
    t = await createTestApp();
    ({ user: admin, auth: adminAuth } = await createUserWithToken(t.ctx, { role: 'admin' }));
    ({ auth: modAuth } = await createUserWithToken(t.ctx, { role: 'moderator' }));
    dir = await mkdtemp(path.join(os.tmpdir(), 'cd-privacy-export-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await t.close();
  });

  test('when an admin exports an address, then the unzipped archive holds its tickets, thread, files and raw mails, and the export is recorded', async () => {
    const { ctx } = t;
    const submitted = await request(t.app)
      .post('/api/v1/contact/submit')
      .field({ name: 'Xena Export', email: EMAIL, subject: 'Export me', message: 'All my data, please.' })
      .attach('attachments', PNG, { filename: 'screen.png', contentType: 'image/png' })
      .expect(201);
    const ticketId = submitted.body.id as string;
    const mod = (await ctx.db.pool.query<TestUser>(`SELECT id, email, name, role FROM users WHERE role = 'moderator'`))
      .rows[0]!;
    await postStaffMessage(ctx, mod, ticketId, { kind: 'reply', body: 'Here is what we hold.' }, { source: 'api' });
    const raw = Buffer.from(
      `From: Xena <${EMAIL}>\r\nSubject: stray\r\nMessage-ID: <stray-1@example.org>\r\n\r\nA stray mail.\r\n`,
    );
    const mail = await storeInboundMail(ctx, { raw, channel: 'http', envelopeFrom: EMAIL });
    const other = await createTicket(ctx, { email: 'someone.else@example.org', message: 'Not theirs' });

    const res = await request(t.app)
      .get('/api/v1/privacy/export')
      .query({ email: EMAIL.toUpperCase() })
      .set(adminAuth)
      .buffer(true)
      .parse(binary)
      .expect(200);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.match(
      String(res.headers['content-disposition']),
      /attachment; filename="contactdesk-personal-data-\d{4}-\d{2}-\d{2}\.zip"/,
    );
    const zip = path.join(dir, 'export.zip');
    await writeFile(zip, res.body as Buffer);
    await run('unzip', ['-q', '-o', zip, '-d', path.join(dir, 'out')]);
    const read = (name: string) => readFile(path.join(dir, 'out', name));
    const json = async (name: string) =>
      JSON.parse((await read(name)).toString('utf8')) as Array<Record<string, unknown>>;

    const tickets = await json('tickets.json');
    assert.deepEqual(
      tickets.map((x) => x.id),
      [ticketId],
    );
    assert.equal(tickets[0]!.message, 'All my data, please.');
    assert.ok(!JSON.stringify(tickets).includes(other.id), 'nobody else’s ticket');
    assert.deepEqual(
      (await json('messages.json')).map((m) => m.body_text),
      ['Here is what we hold.'],
    );
    const files = await json('attachments.json');
    assert.equal(files.length, 1);
    assert.deepEqual(await read(String(files[0]!.path_in_zip)), PNG, 'the file itself, byte for byte');
    const mails = await json('inbound_mails.json');
    assert.deepEqual(
      mails.map((m) => m.id),
      [mail.id],
    );
    assert.deepEqual(await read(`inbound_mails/${mail.id}.eml`), raw);
    assert.ok((await json('audit_events.json')).some((e) => e.entity === 'ticket' && e.operation === 'insert'));
    assert.ok((await json('email_deliveries.json')).length >= 1, 'the confirmation mail record');
    assert.match((await read('README.txt')).toString('utf8'), /every record/);

    // The record's end is written right after the last byte went out.
    await waitUntil(
      async () => (await ctx.db.pool.query('SELECT 1 FROM privacy_exports WHERE finished_at IS NOT NULL')).rowCount,
      'the export is recorded as finished',
      5_000,
    );
    const recorded = await ctx.db.pool.query(
      `SELECT actor_id, subject_email, tickets, files, finished_at IS NOT NULL AS finished FROM privacy_exports`,
    );
    assert.deepEqual(recorded.rows, [
      { actor_id: admin.id, subject_email: EMAIL.toLowerCase(), tickets: 1, files: 2, finished: true },
    ]);
  });

  test('when a moderator or nobody asks for an export or an erasure, then 403 / 401; a bad address is a 400 naming the field', async () => {
    await request(t.app).get('/api/v1/privacy/export').query({ email: EMAIL }).set(modAuth).expect(403);
    await request(t.app).get('/api/v1/privacy/export').query({ email: EMAIL }).expect(401);
    await request(t.app).post('/api/v1/privacy/erasures').set(modAuth).send({ email: EMAIL }).expect(403);
    await request(t.app).get('/api/v1/privacy/erasures').set(modAuth).expect(403);
    const bad = await request(t.app)
      .get('/api/v1/privacy/export')
      .query({ email: 'not-an-address' })
      .set(adminAuth)
      .expect(400);
    assert.ok(bad.body.error.fields.email);
    const missing = await request(t.app).post('/api/v1/privacy/erasures').set(adminAuth).send({}).expect(400);
    assert.ok(missing.body.error.fields.email);
    await request(t.app).get('/api/v1/privacy/erasures/not-a-uuid').set(adminAuth).expect(400);
    await request(t.app)
      .get('/api/v1/privacy/erasures/6c1f8f3e-63a8-4d5e-9c55-2f1d7a0b9e11')
      .set(adminAuth)
      .expect(404);
    const list = await request(t.app).get('/api/v1/privacy/erasures').set(adminAuth).expect(200);
    assert.equal(list.body.total, 0);
  });
});

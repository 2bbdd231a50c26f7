// Files by mail, both ways, with real parts: an inbound mail (HTTP endpoint → worker) keeps every
// attachment and inline image on its message and lists what the limits refused; a moderator's
// REST multipart reply reaches the customer's mailbox (a real SMTP sink, parsed by mailparser)
// with the file's exact bytes; a note's file never leaves in any mail.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import request from 'supertest';
import { createUserWithToken } from '../helpers/factories.js';
import {
  inboundTestEnv,
  INBOUND_SECRET,
  submitTicket,
  waitForQueueDrained,
  waitProcessed,
  type MailTestEnv,
} from '../inbound/inbound-setup.js';
import { EXE, PNG, randomBytesOf } from './attachment-helpers.js';

const MAX_BYTES = 200 * 1024;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

type ApiMessage = {
  id: string;
  kind: string;
  attachments: Array<{ id: string; file_name: string; content_type: string; size: number; download_url: string }>;
  refused_attachments: Array<{ file_name: string; size: number; reason: string; detail: string }>;
};

const compose = (mail: Mail.Options) => new MailComposer(mail).compile().build();

describe('attachments in mail (inbound and outbound)', () => {
  let env: MailTestEnv;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  before(async () => {
    env = await inboundTestEnv({ ATTACHMENT_MAX_BYTES: String(MAX_BYTES), ATTACHMENT_MAX_FILES: '4' });
    mod = await createUserWithToken(env.ctx, { role: 'moderator', name: 'Mo Derator' });
  });
  after(() => env.close());

  const postMime = async (raw: Buffer) => {
    const res = await request(env.t.app)
      .post('/api/v1/inbound/mime')
      .set('Authorization', `Bearer ${INBOUND_SECRET}`)
      .set('Content-Type', 'message/rfc822')
      .send(raw)
      .expect(202);
    return waitProcessed(env, res.body.id);
  };
  const thread = async (ticketId: string): Promise<ApiMessage[]> =>
    (await request(env.t.app).get(`/api/v1/contact/${ticketId}/messages`).set(mod.auth).expect(200)).body.messages;
  const download = async (url: string) =>
    (
      await request(env.t.app)
        .get(url)
        .set(mod.auth)
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        })
        .expect(200)
    ).body as Buffer;

  test('when a customer replies by mail with files, an inline image and refused files, then all are on the message and the refused ones listed', async () => {
    const ticket = await submitTicket(env, 'cara@example.org', 'Broken invoice');
    const raw = await compose({
      from: 'Cara Customer <cara@example.org>',
      to: ticket.vars.REPLY_TO,
      subject: `Re: ${ticket.confirmation.parsed.subject}`,
      inReplyTo: ticket.vars.OUR_MESSAGE_ID,
      references: ticket.vars.OUR_MESSAGE_ID,
      messageId: '<files-1@example.org>',
      text: 'Here is the invoice and a screenshot.',
      html: '<p>Here is the invoice and a screenshot:</p><img src="cid:shot@example.org" alt="the error">',
      attachments: [
        { filename: 'invoice.pdf', content: PDF, contentType: 'application/pdf' },
        { content: PNG, contentType: 'image/png', cid: 'shot@example.org', contentDisposition: 'inline' },
        { filename: 'setup.exe', content: EXE, contentType: 'application/octet-stream' },
        { filename: 'huge.bin', content: randomBytesOf(MAX_BYTES + 1), contentType: 'application/octet-stream' },
      ],
    });
    const row = await postMime(raw);
    assert.equal(row.outcome, 'appended');

    const message = (await thread(ticket.id)).find((m) => m.kind === 'customer')!;
    // mailparser lists the related (inline) part first, and names a nameless one (attachment-2.png).
    assert.deepEqual(
      message.attachments.map((a) => [a.file_name.replace(/^attachment-\d+/, 'attachment-N'), a.content_type, a.size]),
      [
        ['attachment-N.png', 'image/png', PNG.length],
        ['invoice.pdf', 'application/pdf', PDF.length],
      ],
    );
    assert.ok((await download(message.attachments[0]!.download_url)).equals(PNG), 'the inline image, byte for byte');
    assert.deepEqual(
      message.refused_attachments.map((r) => [r.file_name, r.size, r.reason]),
      [
        ['setup.exe', EXE.length, 'executable'],
        ['huge.bin', MAX_BYTES + 1, 'too_large'],
      ],
    );
    assert.match(message.refused_attachments[1]!.detail, /ATTACHMENT_MAX_BYTES/);
    // In the sanitised HTML the inline image is its alt text (the file itself is listed above): no cid: link.
    const { rows: html } = await env.ctx.db.pool.query('SELECT body_html FROM ticket_messages WHERE id = $1', [
      message.id,
    ]);
    assert.match(html[0].body_html, /the error/);
    assert.doesNotMatch(html[0].body_html, /cid:|<img/);
    // The raw mail is kept whole, refused files included.
    const { rows } = await env.ctx.db.pool.query('SELECT raw FROM inbound_mails WHERE id = $1', [row.id]);
    assert.ok(Buffer.compare(rows[0].raw, raw) === 0);
  });

  test('when a new mail carries more files than ATTACHMENT_MAX_FILES, then the first ones are on the new ticket and the rest listed as one too many', async () => {
    const files = Array.from({ length: 6 }, (_, i) => ({
      filename: `page-${i + 1}.bin`,
      content: randomBytesOf(1000 + i, 100 + i),
    }));
    const row = await postMime(
      await compose({
        from: 'Nico New <nico@example.org>',
        to: 'support@desk.test',
        subject: 'Six scans',
        messageId: '<files-2@example.org>',
        text: 'Six pages.',
        attachments: files,
      }),
    );
    assert.equal(row.outcome, 'new_ticket');
    const [original] = await thread(row.ticket_id!);
    assert.equal(original!.kind, 'submission');
    assert.deepEqual(
      original!.attachments.map((a) => a.file_name),
      ['page-1.bin', 'page-2.bin', 'page-3.bin', 'page-4.bin'],
    );
    assert.deepEqual(
      original!.refused_attachments.map((r) => [r.file_name, r.reason]),
      [
        ['page-5.bin', 'too_many'],
        ['page-6.bin', 'too_many'],
      ],
    );
  });

  test('when a moderator replies over REST with a file, then the customer receives it as a MIME attachment; a note with a file is never mailed', async () => {
    const ticket = await submitTicket(env, 'dora@example.org', 'Need the manual');
    env.sink.clear();
    const note = await request(env.t.app)
      .post(`/api/v1/contact/${ticket.id}/messages`)
      .set(mod.auth)
      .field('kind', 'note')
      .field('body', 'Internal: the old manual, do not send.')
      .attach('attachments', Buffer.from('secret internal notes\n'), 'internal-notes.txt')
      .expect(201);
    assert.deepEqual(
      note.body.message.attachments.map((a: { file_name: string }) => a.file_name),
      ['internal-notes.txt'],
    );

    const manual = randomBytesOf(190 * 1024, 9);
    const reply = await request(env.t.app)
      .post(`/api/v1/contact/${ticket.id}/messages`)
      .set(mod.auth)
      .field('kind', 'reply')
      .field('body', 'The manual is attached.')
      .field('status', 'resolved')
      .attach('attachments', PDF, 'manual.pdf')
      .attach('attachments', manual, 'manual-appendix.bin')
      .expect(201);
    assert.equal(reply.body.ticket_status, 'resolved');
    assert.deepEqual(
      reply.body.message.attachments.map((a: { file_name: string; content_type: string }) => [
        a.file_name,
        a.content_type,
      ]),
      [
        ['manual.pdf', 'application/pdf'],
        ['manual-appendix.bin', 'application/octet-stream'],
      ],
    );

    await waitForQueueDrained(env.ctx);
    const mails = env.sink.to('dora@example.org');
    assert.equal(mails.length, 1, 'one mail: the reply (it resolves, so no separate resolution mail)');
    const files = mails[0]!.parsed.attachments;
    assert.deepEqual(
      files.map((f) => [f.filename, f.contentType, f.contentDisposition]),
      [
        ['manual.pdf', 'application/pdf', 'attachment'],
        ['manual-appendix.bin', 'application/octet-stream', 'attachment'],
      ],
    );
    assert.ok(files[0]!.content.equals(PDF));
    assert.ok(files[1]!.content.equals(manual), 'the 190 KB file arrives byte for byte');
    assert.match(mails[0]!.parsed.text ?? '', /The manual is attached/);
    for (const m of env.sink.messages) {
      assert.ok(!m.raw.includes('internal-notes.txt'), 'the note file is in no mail');
      assert.ok(!m.raw.includes(Buffer.from('secret internal notes').toString('base64').slice(0, 16)));
    }
  });

  test('when a multipart reply carries a refused file, then 413/415 names it and neither message nor file is written', async () => {
    const ticket = await submitTicket(env, 'eve@example.org', 'Refused reply file');
    const count = async () =>
      (
        await env.ctx.db.pool.query(
          `SELECT (SELECT count(*) FROM ticket_messages WHERE ticket_id = $1)::int AS messages,
             (SELECT count(*) FROM attachments WHERE ticket_id = $1)::int AS files`,
          [ticket.id],
        )
      ).rows[0];
    const before = await count();
    const big = await request(env.t.app)
      .post(`/api/v1/contact/${ticket.id}/messages`)
      .set(mod.auth)
      .field('kind', 'reply')
      .field('body', 'Too big.')
      .attach('attachments', PNG, 'ok.png')
      .attach('attachments', randomBytesOf(MAX_BYTES + 1), 'big.bin')
      .expect(413);
    assert.match(big.body.error.fields.attachments[0], /"big\.bin" is larger than/);
    const exe = await request(env.t.app)
      .post(`/api/v1/contact/${ticket.id}/messages`)
      .set(mod.auth)
      .field('kind', 'reply')
      .field('body', 'A program.')
      .attach('attachments', EXE, 'tool.exe')
      .expect(415);
    assert.equal(exe.body.error.code, 'unsupported_media_type');
    const missing = await request(env.t.app)
      .post(`/api/v1/contact/${ticket.id}/messages`)
      .set(mod.auth)
      .field('kind', 'reply')
      .attach('attachments', PNG, 'ok.png')
      .expect(400);
    assert.ok(missing.body.error.fields.body, 'the missing body is named');
    assert.deepEqual(await count(), before);
  });
});

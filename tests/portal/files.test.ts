// Files on the customer page: the submission's attachment is listed in the thread and downloads
// through the link (served like the staff download); a file of another ticket, or of an internal
// note, is the page's 404 even with a valid link.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createUserWithToken } from '../helpers/factories.js';
import { mailTestEnv, waitForQueueDrained, type MailTestEnv } from '../mail/mail-setup.js';
import { API, linkPathIn, mailsTo } from './portal-setup.js';

// A valid 1×1 PNG (the upload sniffs the content, so it must really be one).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('attachments on the customer page', () => {
  let env: MailTestEnv;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;

  before(async () => {
    env = await mailTestEnv();
    mod = await createUserWithToken(env.ctx, { role: 'moderator' });
  });
  after(() => env.close());

  async function submitWithFile(email: string) {
    const res = await request(env.t.app)
      .post(`${API}/submit`)
      .field({ name: 'Pia Picture', email, subject: 'Screenshot attached', message: 'See the picture.' })
      .attach('attachments', PNG, 'screen.png')
      .expect(201);
    await waitForQueueDrained(env.ctx);
    const mail = mailsTo(env, email).find((m) => m.parsed.subject?.includes('We received'))!;
    return { ticket: res.body as { id: string; attachments: Array<{ id: string }> }, path: linkPathIn(mail) };
  }

  test('when the submission had a file, then the page lists it and it downloads through the link', async () => {
    const { ticket, path } = await submitWithFile('pia@example.com');
    const page = await request(env.t.app).get(path).expect(200);
    const fileId = ticket.attachments[0]!.id;
    assert.ok(page.text.includes(`href="${path}/files/${fileId}"`), 'the file is linked in the thread');
    assert.match(page.text, /screen\.png/);
    const file = await request(env.t.app).get(`${path}/files/${fileId}`).buffer(true).expect(200);
    assert.equal(file.headers['content-type'], 'image/png');
    assert.equal(file.headers['x-content-type-options'], 'nosniff');
    assert.match(String(file.headers['content-security-policy']), /sandbox/);
    assert.deepEqual(Buffer.from(file.body), PNG);
  });

  test("when the link asks for another ticket's file or an internal note's, then it is 404", async () => {
    const mine = await submitWithFile('owner@example.com');
    const other = await submitWithFile('other@example.com');
    await request(env.t.app).get(`${mine.path}/files/${other.ticket.attachments[0]!.id}`).expect(404);
    await request(env.t.app).get(`${mine.path}/files/not-a-uuid`).expect(404);
    // A note with a file (stored as the attachments module stores any file: a row on the blob).
    const note = await request(env.t.app)
      .post(`${API}/${mine.ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'note', body: 'internal screenshot' })
      .expect(201);
    const { rows } = await env.ctx.db.pool.query(
      `INSERT INTO attachments (ticket_id, ticket_message_id, file_name, declared_type, sniffed_type, size, sha256, source)
       SELECT ticket_id, $2, 'internal.png', declared_type, sniffed_type, size, sha256, source FROM attachments WHERE id = $1
       RETURNING id`,
      [mine.ticket.attachments[0]!.id, note.body.message.id],
    );
    await request(env.t.app).get(`${mine.path}/files/${rows[0].id}`).expect(404);
    const page = await request(env.t.app).get(mine.path).expect(200);
    assert.doesNotMatch(page.text, /internal\.png|internal screenshot/);
  });
});

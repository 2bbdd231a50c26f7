// The customer's reply on their ticket page (/t/<token>) with files: a multipart form whose files
// land on the customer message in the same transaction, under the same limits; a form without
// its CSRF token, or over a limit, stores nothing. The link comes from a real mail (SMTP sink).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createUserWithToken } from '../helpers/factories.js';
import { mailTestEnv, type MailTestEnv } from '../mail/mail-setup.js';
import { submitWithLink } from '../portal/portal-setup.js';
import { counts, PNG, randomBytesOf } from './attachment-helpers.js';

const MAX_BYTES = 100 * 1024;

describe('files on the customer page reply', () => {
  let env: MailTestEnv;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  before(async () => {
    env = await mailTestEnv({ env: { ATTACHMENT_MAX_BYTES: String(MAX_BYTES) } });
    mod = await createUserWithToken(env.ctx, { role: 'moderator' });
  });
  after(() => env.close());

  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

  test('when the customer replies with a file, then it is on their message in the thread and listed on the page', async () => {
    const { ticket, path } = await submitWithLink(env, { email: 'pia@example.com' });
    const page = await request(env.t.app).get(path).expect(200);
    assert.match(page.text, /<form method="post" action="[^"]+\/reply" enctype="multipart\/form-data">/);
    assert.match(page.text, /<input type="file" id="attachments" name="attachments" multiple>/);
    const res = await request(env.t.app)
      .post(`${path}/reply`)
      .field('csrf', csrfOf(page.text))
      .field('body', 'Here is the photo of the parcel.')
      .attach('attachments', PNG, 'parcel.png')
      .expect(303);
    assert.match(String(res.headers.location), /\?done=sent$/);

    const thread = await request(env.t.app).get(`/api/v1/contact/${ticket.id}/messages`).set(mod.auth).expect(200);
    const mine = thread.body.messages.find((m: { kind: string }) => m.kind === 'customer');
    assert.equal(mine.channel, 'portal');
    assert.deepEqual(
      mine.attachments.map((a: { file_name: string; content_type: string }) => [a.file_name, a.content_type]),
      [['parcel.png', 'image/png']],
    );
    const { rows } = await env.ctx.db.pool.query(`SELECT source FROM attachments WHERE id = $1`, [
      mine.attachments[0].id,
    ]);
    assert.equal(rows[0].source, 'portal');
    const after = await request(env.t.app).get(path).expect(200);
    assert.ok(after.text.includes(`${path}/files/${mine.attachments[0].id}`), 'the page links the file');
  });

  test('when the form has no valid CSRF token or a file is too large, then an error page and nothing is stored', async () => {
    const { ticket, path } = await submitWithLink(env, { email: 'quinn@example.com' });
    const page = await request(env.t.app).get(path).expect(200);
    const start = await counts(env.ctx);

    const forged = await request(env.t.app)
      .post(`${path}/reply`)
      .field('csrf', 'forged')
      .field('body', 'From another site.')
      .attach('attachments', PNG, 'x.png')
      .expect(403);
    assert.match(String(forged.headers['content-type']), /text\/html/);

    const big = await request(env.t.app)
      .post(`${path}/reply`)
      .field('csrf', csrfOf(page.text))
      .field('body', 'A big one.')
      .attach('attachments', randomBytesOf(MAX_BYTES + 1), 'video.bin')
      .expect(413);
    assert.match(big.text, /video\.bin/);

    const dead = await request(env.t.app)
      .post(`/t/${'A'.repeat(43)}/reply`)
      .field('csrf', csrfOf(page.text))
      .field('body', 'Wrong link.')
      .attach('attachments', PNG, 'y.png');
    assert.equal(dead.status, 404);

    const end = await counts(env.ctx);
    assert.deepEqual({ ...end, mails: start.mails }, start, 'no ticket, message file, blob or chunk was written');
    const { rows } = await env.ctx.db.pool.query(
      `SELECT count(*)::int AS n FROM ticket_messages WHERE ticket_id = $1`,
      [ticket.id],
    );
    assert.equal(rows[0].n, 0, 'no message either');
  });
});

// The panel's routes for files: the workspace's multipart message route and the download route,
// through the real login. A moderator sends a note with a file and downloads it (also one of a
// ticket they do not handle); anonymous requests are sent to the login and store nothing; a
// refused file answers with its message and writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import type { TestApp } from '../helpers/app.js';
import { createTicket, createUser } from '../helpers/factories.js';
import { counts, EXE, PNG } from './attachment-helpers.js';

const binary = (req: request.Test) =>
  req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

describe('panel file routes', () => {
  let t: TestApp;
  let mod: PanelAgent;
  let ticket: Awaited<ReturnType<typeof createTicket>>;
  before(async () => {
    t = await createPanelTestApp();
    const user = await createUser(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
    mod = await panelLogin(t.app, user);
    ticket = await createTicket(t.ctx, { subject: 'Broken charger' });
  });
  after(() => t.close());

  const path = (id: string) => `/admin/workspace/tickets/${id}/messages`;

  test('when a moderator posts a note with a file, then it is on the note and downloads through the panel route', async () => {
    const res = await mod
      .post(path(ticket.id))
      .field('kind', 'note')
      .field('body', 'Photo from the warehouse.')
      .field('last_seen_message_id', ticket.id)
      .attach('attachments', PNG, 'warehouse.png')
      .expect(201);
    const note = res.body.message;
    assert.equal(note.kind, 'note');
    assert.deepEqual(
      note.attachments.map((a: { file_name: string; content_type: string }) => [a.file_name, a.content_type]),
      [['warehouse.png', 'image/png']],
    );
    assert.equal(res.body.newest_message_id, note.id, 'the thread comes with the answer');
    const { rows } = await t.ctx.db.pool.query('SELECT source FROM attachments WHERE id = $1', [
      note.attachments[0].id,
    ]);
    assert.equal(rows[0].source, 'panel');

    const file = await binary(mod.get(`/admin/attachments/${note.attachments[0].id}`)).expect(200);
    assert.ok((file.body as Buffer).equals(PNG));
    assert.equal(file.headers['x-content-type-options'], 'nosniff');

    // Another moderator (not the one handling the ticket) may download it too.
    const other = await panelLogin(t.app, await createUser(t.ctx, { role: 'moderator' }));
    await other.get(`/admin/attachments/${note.attachments[0].id}`).expect(200);
    // Anonymous: sent to the login, no bytes.
    const anon = await request(t.app).get(`/admin/attachments/${note.attachments[0].id}`);
    assert.equal(anon.status, 302);
    assert.match(String(anon.headers.location), /\/admin\/login$/);
  });

  test('when an anonymous request posts a message with a file, then it is sent to the login and nothing is stored', async () => {
    const start = await counts(t.ctx);
    const res = await request(t.app)
      .post(path(ticket.id))
      .field('kind', 'reply')
      .field('body', 'Not signed in.')
      .attach('attachments', PNG, 'x.png');
    assert.equal(res.status, 302);
    assert.match(String(res.headers.location), /\/admin\/login$/);
    assert.deepEqual(await counts(t.ctx), start);
  });

  test('when the file is a program, a field is missing or the body is JSON, then 415/400 with the reason and nothing is written', async () => {
    const start = await counts(t.ctx);
    const exe = await mod
      .post(path(ticket.id))
      .field('kind', 'reply')
      .field('body', 'Try this tool.')
      .attach('attachments', EXE, 'fix.exe')
      .expect(415);
    assert.match(exe.body.error.fields.attachments[0], /"fix\.exe" is a program/);
    const bad = await mod.post(path(ticket.id)).field('kind', 'shout').field('body', 'x').expect(400);
    assert.ok(bad.body.error.fields.kind);
    await mod.post(path(ticket.id)).send({ kind: 'reply', body: 'json' }).expect(415);
    await mod.post(path('not-a-uuid')).field('kind', 'note').field('body', 'x').expect(400);
    assert.deepEqual(await counts(t.ctx), start);
  });
});

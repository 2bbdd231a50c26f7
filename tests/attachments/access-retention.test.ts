// Who may download (staff: any ticket's files; nobody else), and what deleting tickets does to
// their files: rows go with the ticket, content goes once no other ticket shares it, audited.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { deleteTickets } from '../../src/contact/contact.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUserWithToken } from '../helpers/factories.js';
import { counts, FORM, PNG, randomBytesOf, SUBMIT } from './attachment-helpers.js';

describe('attachment access and retention', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createUserWithToken>>;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;
  let user: Awaited<ReturnType<typeof createUserWithToken>>;

  before(async () => {
    t = await createTestApp();
    admin = await createUserWithToken(t.ctx, { role: 'admin' });
    mod = await createUserWithToken(t.ctx, { role: 'moderator' });
    user = await createUserWithToken(t.ctx, { role: 'user' });
  });
  after(() => t.close());

  const upload = async (...files: Array<[Buffer, string]>) => {
    let req = request(t.app).post(SUBMIT).field(FORM);
    for (const [bytes, name] of files) req = req.attach('attachments', bytes, name);
    return (await req.expect(201)).body as { id: string; attachments: Array<{ id: string }> };
  };

  test('when someone without a staff role asks for a file, then anonymous gets 401, a plain user 403, a guess 404', async () => {
    const sub = await upload([PNG, 'a.png']);
    const url = `/api/v1/attachments/${sub.attachments[0]!.id}`;
    const anon = await request(t.app).get(url).expect(401);
    assert.match(String(anon.headers['www-authenticate']), /^Bearer/);
    await request(t.app).get(url).set(user.auth).expect(403);
    await request(t.app).get(`/api/v1/attachments/${randomUUID()}`).set(mod.auth).expect(404);
    await request(t.app).get('/api/v1/attachments/1%20OR%201=1').set(mod.auth).expect(404);
  });

  test('when a moderator who is not on the ticket downloads a file, then they get it', async () => {
    const sub = await upload([PNG, 'b.png']);
    // Assigned to the admin: the moderator is not its assignee.
    await t.ctx.db.pool.query('UPDATE contact_submissions SET assigned_to_id = $1 WHERE id = $2', [
      admin.user.id,
      sub.id,
    ]);
    const res = await request(t.app).get(`/api/v1/attachments/${sub.attachments[0]!.id}`).set(mod.auth).expect(200);
    assert.ok(Buffer.from(res.body).equals(PNG));
  });

  test('when a ticket is deleted, then its files go, content shared with another ticket stays, and the removal is audited', async () => {
    const shared = randomBytesOf(400 * 1024, 11);
    const own = randomBytesOf(10 * 1024, 12);
    const first = await upload([shared, 'shared.bin'], [own, 'own.bin']);
    const second = await upload([shared, 'same-content.bin']);
    const before = await counts(t.ctx);

    await request(t.app).delete(`/api/v1/contact/${first.id}`).set(admin.auth).expect(204);
    const mid = await counts(t.ctx);
    assert.equal(mid.attachments, before.attachments - 2);
    assert.equal(mid.blobs, before.blobs - 1, 'only the unshared content is gone');
    assert.equal(mid.chunks, before.chunks - 1);
    const kept = await request(t.app).get(`/api/v1/attachments/${second.attachments[0]!.id}`).set(mod.auth).expect(200);
    assert.ok(Buffer.from(kept.body).equals(shared));

    const { rows: events } = await t.ctx.db.pool.query(
      `SELECT operation, actor_id, source, file_name, blob_deleted FROM attachment_events WHERE ticket_id = $1
       ORDER BY event_id`,
      [first.id],
    );
    assert.deepEqual(events, [
      { operation: 'delete', actor_id: admin.user.id, source: 'api', file_name: 'shared.bin', blob_deleted: false },
      { operation: 'delete', actor_id: admin.user.id, source: 'api', file_name: 'own.bin', blob_deleted: true },
    ]);

    // The bulk delete (panel) takes the last ticket that names the shared content: it goes too.
    await deleteTickets(t.ctx, admin.user, [second.id], { source: 'admin' });
    const end = await counts(t.ctx);
    assert.equal(end.attachments, mid.attachments - 1);
    assert.equal(end.blobs, mid.blobs - 1);
    assert.equal(end.chunks, mid.chunks - 2);
    await request(t.app).get(`/api/v1/attachments/${second.attachments[0]!.id}`).set(mod.auth).expect(404);
  });

  test('when the audit trail is tampered with, then PostgreSQL refuses', async () => {
    await assert.rejects(t.ctx.db.pool.query('DELETE FROM attachment_events'), /append-only/);
  });
});

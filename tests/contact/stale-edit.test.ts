// updateTicket / updateUser with the version an editor saw (expectedUpdatedAt): a change made
// since is never overwritten, even when it landed in the same millisecond (clock held still).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLI_ACTOR } from '../../src/auth/actor.js';
import { updateUser } from '../../src/auth/users.service.js';
import { runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
import { AppError } from '../../src/errors.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const isStaleEdit = (err: unknown) => err instanceof AppError && err.status === 409 && err.code === 'stale_edit';

describe('expectedUpdatedAt on ticket and user updates', () => {
  let t: TestApp;
  let mod: TestUser;
  let admin: TestUser;
  const clock = new TestClock('2026-03-01T10:00:00.000Z');
  const api = { source: 'api' as const };

  before(async () => {
    t = await createTestApp({ clock });
    mod = await createUser(t.ctx, { role: 'moderator' });
    admin = await createUser(t.ctx, { role: 'admin' });
  });
  after(() => t.close());

  test('when the ticket changed after the editor loaded it, then updateTicket refuses with 409 stale_edit and keeps the change', async () => {
    const ticket = await createTicket(t.ctx);
    const loaded = (await updateTicket(t.ctx, mod, ticket.id, { admin_notes: 'v1' }, api)).updatedAt;
    // Same clock reading: updated_at must still move so the stale version is detected.
    const other = await runTicketAction(t.ctx, admin, ticket.id, 'assign_to_me', {}, api);
    assert.ok(other.updatedAt.getTime() > loaded.getTime());

    await assert.rejects(
      updateTicket(t.ctx, mod, ticket.id, { admin_notes: 'v2' }, api, { expectedUpdatedAt: loaded }),
      isStaleEdit,
    );
    const row = (
      await t.ctx.db.pool.query('SELECT admin_notes, assigned_to_id FROM contact_submissions WHERE id = $1', [
        ticket.id,
      ])
    ).rows[0];
    assert.deepEqual(row, { admin_notes: 'v1', assigned_to_id: admin.id });
  });

  test('when the expected version is current, then updateTicket applies the patch, and without one it applies as before', async () => {
    const ticket = await createTicket(t.ctx);
    const current = (await updateTicket(t.ctx, mod, ticket.id, { admin_notes: 'v1' }, api)).updatedAt;
    const saved = await updateTicket(t.ctx, mod, ticket.id, { admin_notes: 'v2' }, api, {
      expectedUpdatedAt: current,
    });
    assert.equal(saved.adminNotes, 'v2');
    const unchecked = await updateTicket(t.ctx, mod, ticket.id, { admin_notes: 'v3' }, api);
    assert.equal(unchecked.adminNotes, 'v3');
  });

  test('when the user changed after the editor loaded them, then updateUser refuses with 409 stale_edit', async () => {
    const user = await createUser(t.ctx, { role: 'user' });
    const loaded = (await updateUser(t.ctx, admin, { userId: user.id }, { name: 'First' }, api)).updatedAt;
    await updateUser(t.ctx, CLI_ACTOR, { userId: user.id }, { role: 'moderator' }, { source: 'cli' });
    await assert.rejects(
      updateUser(t.ctx, admin, { userId: user.id }, { name: 'Second' }, api, { expectedUpdatedAt: loaded }),
      isStaleEdit,
    );
    const row = (await t.ctx.db.pool.query('SELECT name, role FROM users WHERE id = $1', [user.id])).rows[0];
    assert.deepEqual(row, { name: 'First', role: 'moderator' });
  });
});

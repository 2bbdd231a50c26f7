import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLI_ACTOR, SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { authenticateWithPassword } from '../../src/auth/auth.service.js';
import { resolveBearerToken } from '../../src/auth/tokens.js';
import {
  createUserAccount,
  deactivateUser,
  getUser,
  listUsers,
  setUserPassword,
  setUserRole,
  toUserJson,
  updateUser,
} from '../../src/auth/users.service.js';
import { AppError } from '../../src/errors.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createUser, createUserWithToken } from '../helpers/factories.js';

const CLI = { source: 'cli' } as const;
const PASSWORD = 'a long enough password';

async function rejectsWith(promise: Promise<unknown>, status: number, code: string) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    return true;
  });
}

describe('user management services', () => {
  let t: TestApp;
  const clock = new TestClock('2026-05-05T12:00:00.000Z');
  before(async () => {
    t = await createTestApp({ clock });
  });
  after(() => t.close());

  test('when an operator creates a user, then it is stored with an argon2id hash and audited with source cli', async () => {
    const user = await createUserAccount(
      t.ctx,
      CLI_ACTOR,
      { email: 'new.mod@example.com', name: 'New Mod', role: 'moderator', password: PASSWORD },
      CLI,
    );
    assert.equal(user.role, 'moderator');
    assert.equal(user.hasPassword, true);
    assert.equal('passwordHash' in user, false);
    const { rows } = await t.ctx.db.pool.query('SELECT password_hash, password_changed_at FROM users WHERE id = $1', [
      user.id,
    ]);
    assert.match(rows[0].password_hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    assert.equal(rows[0].password_changed_at.toISOString(), clock.now().toISOString());
    const events = await t.ctx.db.pool.query(
      "SELECT source, actor_id, operation FROM user_events WHERE user_id = $1 AND operation = 'insert'",
      [user.id],
    );
    assert.deepEqual(events.rows, [{ source: 'cli', actor_id: null, operation: 'insert' }]);
    const actor = await authenticateWithPassword(t.ctx, {
      email: 'new.mod@example.com',
      password: PASSWORD,
      ip: '10.0.0.1',
    });
    assert.equal(actor.id, user.id);
  });

  test('when the email is taken in another case, then 409 email_taken with a field error', async () => {
    await createUser(t.ctx, { email: 'taken@example.com' });
    await assert.rejects(
      createUserAccount(
        t.ctx,
        CLI_ACTOR,
        { email: 'TAKEN@example.com', name: 'X', role: 'user', password: PASSWORD },
        CLI,
      ),
      (err: AppError) => {
        assert.equal(err.status, 409);
        assert.equal(err.code, 'email_taken');
        assert.deepEqual(err.fields, { email: ['is already in use'] });
        return true;
      },
    );
  });

  test('when the password is short, the role unknown or the email malformed, then 400 naming the field', async () => {
    const base = { email: 'valid@example.com', name: 'Valid', role: 'user' as const, password: PASSWORD };
    for (const [patch, field] of [
      [{ password: 'short' }, 'password'],
      [{ role: 'boss' }, 'role'],
      [{ email: 'not-an-email' }, 'email'],
    ] as const) {
      await assert.rejects(
        createUserAccount(t.ctx, CLI_ACTOR, { ...base, ...patch } as never, CLI),
        (err: AppError) => {
          assert.equal(err.status, 400);
          assert.ok(err.fields?.[field], JSON.stringify(err.fields));
          return true;
        },
      );
    }
  });

  test('when a non-admin actor manages users, then 403; when an admin does, then it works and is attributed', async () => {
    const moderator = await createUser(t.ctx, { role: 'moderator' });
    const admin = await createUser(t.ctx, { role: 'admin' });
    const input = { email: 'by-admin@example.com', name: 'By Admin', role: 'user' as const };
    await rejectsWith(createUserAccount(t.ctx, moderator, input, { source: 'admin' }), 403, 'forbidden');
    await rejectsWith(listUsers(t.ctx, moderator), 403, 'forbidden');
    const created = await createUserAccount(t.ctx, admin, input, { source: 'admin', requestId: 'req-1' });
    assert.equal(created.hasPassword, false);
    const { rows } = await t.ctx.db.pool.query(
      'SELECT actor_id, source, request_id FROM user_events WHERE user_id = $1',
      [created.id],
    );
    assert.deepEqual(rows, [{ actor_id: admin.id, source: 'admin', request_id: 'req-1' }]);
  });

  test('when no actor (null) manages users, then every function refuses with 401 and nothing is written', async () => {
    const user = await createUser(t.ctx, { role: 'moderator', name: 'Untouched' });
    const ref = { userId: user.id };
    const input = { email: 'by-nobody@example.com', name: 'Nobody', role: 'admin' as const, password: PASSWORD };
    await rejectsWith(createUserAccount(t.ctx, null, input, CLI), 401, 'unauthenticated');
    await rejectsWith(setUserPassword(t.ctx, null, { ...ref, password: PASSWORD }, CLI), 401, 'unauthenticated');
    await rejectsWith(updateUser(t.ctx, null, ref, { name: 'Changed' }, CLI), 401, 'unauthenticated');
    await rejectsWith(setUserRole(t.ctx, null, { ...ref, role: 'admin' }, CLI), 401, 'unauthenticated');
    await rejectsWith(deactivateUser(t.ctx, null, ref, CLI), 401, 'unauthenticated');
    await rejectsWith(listUsers(t.ctx, null), 401, 'unauthenticated');
    await rejectsWith(getUser(t.ctx, null, ref), 401, 'unauthenticated');
    const { rows } = await t.ctx.db.pool.query(
      "SELECT name, role, is_active, (SELECT count(*)::int FROM users WHERE email = 'by-nobody@example.com') AS created FROM users WHERE id = $1",
      [user.id],
    );
    assert.deepEqual(rows, [{ name: 'Untouched', role: 'moderator', is_active: true, created: 0 }]);
  });

  test('when the system actor manages users, then it works and is audited without an actor id', async () => {
    const user = await createUser(t.ctx, { role: 'user' });
    const renamed = await updateUser(
      t.ctx,
      SYSTEM_ACTOR,
      { userId: user.id },
      { name: 'By System' },
      { source: 'system' },
    );
    assert.equal(renamed.name, 'By System');
    assert.equal((await getUser(t.ctx, SYSTEM_ACTOR, { userId: user.id })).name, 'By System');
    const { rows } = await t.ctx.db.pool.query(
      "SELECT actor_id, source FROM user_events WHERE user_id = $1 AND operation = 'update'",
      [user.id],
    );
    assert.deepEqual(rows, [{ actor_id: null, source: 'system' }]);
  });

  test('when a password is set, then the new one works, the old one not, and old tokens are revoked', async () => {
    const { user, token } = await createUserWithToken(t.ctx);
    clock.advance(60_000);
    const updated = await setUserPassword(
      t.ctx,
      CLI_ACTOR,
      { email: user.email.toUpperCase(), password: PASSWORD },
      CLI,
    );
    assert.equal(updated.passwordChangedAt?.toISOString(), clock.now().toISOString());
    assert.equal(await resolveBearerToken(t.ctx, token), null);
    await authenticateWithPassword(t.ctx, { email: user.email, password: PASSWORD, ip: '10.0.0.2' });
    await rejectsWith(
      authenticateWithPassword(t.ctx, { email: user.email, password: user.password, ip: '10.0.0.2' }),
      401,
      'invalid_credentials',
    );
    await rejectsWith(
      setUserPassword(t.ctx, CLI_ACTOR, { email: user.email, password: 'short' }, CLI),
      400,
      'validation_error',
    );
  });

  test('when the user is unknown or the id malformed, then 404', async () => {
    await rejectsWith(
      setUserRole(t.ctx, CLI_ACTOR, { email: 'ghost@example.com', role: 'admin' }, CLI),
      404,
      'not_found',
    );
    await rejectsWith(deactivateUser(t.ctx, CLI_ACTOR, { userId: 'not-a-uuid' }, CLI), 404, 'not_found');
    await rejectsWith(getUser(t.ctx, CLI_ACTOR, { userId: '00000000-0000-4000-8000-000000000000' }), 404, 'not_found');
  });

  test('when a user is deactivated, then they are inactive and all their tokens are revoked', async () => {
    const { user, token } = await createUserWithToken(t.ctx, { role: 'moderator' });
    const result = await deactivateUser(t.ctx, CLI_ACTOR, { email: user.email }, CLI);
    assert.equal(result.isActive, false);
    assert.equal(await resolveBearerToken(t.ctx, token), null);
    const reactivated = await updateUser(t.ctx, CLI_ACTOR, { userId: user.id }, { is_active: true, name: 'Back' }, CLI);
    assert.deepEqual([reactivated.isActive, reactivated.name], [true, 'Back']);
  });
});

describe('the last active admin', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when the only active admin would be deactivated or demoted, then 409 last_admin; with a second admin it is allowed', async () => {
    const only = await createUser(t.ctx, { role: 'admin' });
    await createUser(t.ctx, { role: 'admin', isActive: false });
    await rejectsWith(deactivateUser(t.ctx, CLI_ACTOR, { userId: only.id }, CLI), 409, 'last_admin');
    await rejectsWith(setUserRole(t.ctx, CLI_ACTOR, { userId: only.id, role: 'moderator' }, CLI), 409, 'last_admin');
    await rejectsWith(deactivateUser(t.ctx, only, { userId: only.id }, { source: 'admin' }), 409, 'last_admin');
    const second = await createUser(t.ctx, { role: 'admin' });
    const demoted = await setUserRole(t.ctx, CLI_ACTOR, { userId: only.id, role: 'moderator' }, CLI);
    assert.equal(demoted.role, 'moderator');
    await rejectsWith(deactivateUser(t.ctx, CLI_ACTOR, { userId: second.id }, CLI), 409, 'last_admin');
  });

  test('when two admins demote each other at the same moment, then exactly one succeeds', async () => {
    await t.ctx.db.pool.query("UPDATE users SET role = 'user' WHERE role = 'admin'");
    const a = await createUser(t.ctx, { role: 'admin' });
    const b = await createUser(t.ctx, { role: 'admin' });
    const results = await Promise.allSettled([
      setUserRole(t.ctx, a, { userId: b.id, role: 'user' }, { source: 'admin' }),
      setUserRole(t.ctx, b, { userId: a.id, role: 'user' }, { source: 'admin' }),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((rejected.reason as AppError).code, 'last_admin');
    const { rows } = await t.ctx.db.pool.query(
      "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND is_active",
    );
    assert.equal(rows[0].n, 1);
  });
});

describe('toUserJson and listUsers', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when a full row with its hash is serialised, then the JSON has no password or hash field', async () => {
    const user = await createUser(t.ctx);
    const row = await t.ctx.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    const json = toUserJson(row);
    assert.deepEqual(Object.keys(json).sort(), [
      'created_at',
      'email',
      'has_password',
      'id',
      'is_active',
      'last_login_at',
      'name',
      'password_changed_at',
      'role',
      'updated_at',
    ]);
    assert.equal(JSON.stringify(json).includes(row.passwordHash!), false);
    assert.equal(json.has_password, true);
  });

  test('when users are listed with filters, then only matching users come back, paged', async () => {
    await createUser(t.ctx, { role: 'moderator', name: 'Zed Findme' });
    await createUser(t.ctx, { role: 'moderator', name: 'Other' });
    await createUser(t.ctx, { role: 'moderator', name: 'Gone', isActive: false });
    const found = await listUsers(t.ctx, CLI_ACTOR, { q: 'findME' });
    assert.deepEqual(
      found.items.map((u) => u.name),
      ['Zed Findme'],
    );
    const active = await listUsers(t.ctx, CLI_ACTOR, { role: 'moderator', isActive: true, pageSize: 1 });
    assert.deepEqual([active.total, active.items.length, active.pages], [2, 1, 2]);
  });
});

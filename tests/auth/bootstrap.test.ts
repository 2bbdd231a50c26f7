import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authenticateWithPassword } from '../../src/auth/auth.service.js';
import { bootstrapAdmin, DEFAULT_ADMIN_EMAIL } from '../../src/auth/bootstrap.js';
import { resolveBearerToken } from '../../src/auth/tokens.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUser, createUserWithToken } from '../helpers/factories.js';
import { captureLogger } from './auth-helpers.js';

async function withApp(env: Record<string, string>, fn: (t: TestApp) => Promise<void>) {
  const t = await createTestApp({ env });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

function printer() {
  const printed: string[] = [];
  return { printed, print: (text: string) => void printed.push(text) };
}

const adminRows = (t: TestApp) =>
  t.ctx.db.pool
    .query("SELECT email::text AS email, is_active FROM users WHERE role = 'admin' ORDER BY email")
    .then((r) => r.rows);

describe('bootstrapAdmin', () => {
  test('when no admin exists and ADMIN_PASSWORD is unset, then an admin is created and its generated password printed once', async () => {
    await withApp({}, async (t) => {
      const log = captureLogger();
      t.ctx.logger = log.logger;
      const out = printer();
      const first = await bootstrapAdmin(t.ctx, { print: out.print });
      assert.deepEqual(first, { action: 'created', email: DEFAULT_ADMIN_EMAIL, passwordGenerated: true });
      assert.equal(out.printed.length, 1);
      const password = /password: (\S+)/.exec(out.printed[0]!)?.[1] ?? '';
      assert.match(password, /^[A-Za-z0-9]{24}$/, out.printed[0]);
      const actor = await authenticateWithPassword(t.ctx, { email: DEFAULT_ADMIN_EMAIL, password, ip: '10.1.1.1' });
      assert.equal(actor.role, 'admin');
      // The log says what happened but never carries the password.
      assert.match(log.text(), /bootstrap admin account ready/);
      assert.equal(log.text().includes(password), false);

      const second = await bootstrapAdmin(t.ctx, { print: out.print });
      assert.deepEqual(second, { action: 'none' });
      assert.equal(out.printed.length, 1);
      assert.deepEqual(await adminRows(t), [{ email: DEFAULT_ADMIN_EMAIL, is_active: true }]);
      const events = await t.ctx.db.pool.query('SELECT source FROM user_events');
      assert.deepEqual(events.rows, [{ source: 'system' }]);
    });
  });

  test('when ADMIN_EMAIL and ADMIN_PASSWORD are set, then that admin is created and nothing is printed', async () => {
    await withApp({ ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: 'configured admin password' }, async (t) => {
      const out = printer();
      const outcome = await bootstrapAdmin(t.ctx, { print: out.print });
      assert.deepEqual(outcome, { action: 'created', email: 'boss@example.com', passwordGenerated: false });
      assert.equal(out.printed.length, 0);
      await authenticateWithPassword(t.ctx, {
        email: 'boss@example.com',
        password: 'configured admin password',
        ip: '10.1.1.2',
      });
    });
  });

  test('when an active admin already exists, then nothing is created even if ADMIN_EMAIL differs', async () => {
    await withApp({ ADMIN_EMAIL: 'boss@example.com' }, async (t) => {
      const existing = await createUser(t.ctx, { role: 'admin', email: 'first@example.com' });
      const out = printer();
      assert.deepEqual(await bootstrapAdmin(t.ctx, { print: out.print }), { action: 'none' });
      assert.deepEqual(await adminRows(t), [{ email: existing.email, is_active: true }]);
      assert.equal(out.printed.length, 0);
    });
  });

  test('when ADMIN_EMAIL belongs to an inactive moderator, then it becomes an active admin with a fresh password and no old tokens', async () => {
    await withApp({ ADMIN_EMAIL: 'old@example.com' }, async (t) => {
      const { user, token } = await createUserWithToken(t.ctx, { role: 'moderator', email: 'old@example.com' });
      await t.ctx.db.pool.query('UPDATE users SET is_active = false WHERE id = $1', [user.id]);
      await createUser(t.ctx, { role: 'admin', isActive: false });
      const out = printer();
      const outcome = await bootstrapAdmin(t.ctx, { print: out.print });
      assert.deepEqual(outcome, { action: 'promoted', email: 'old@example.com', passwordGenerated: true });
      const password = /password: (\S+)/.exec(out.printed[0]!)?.[1];
      assert.ok(password);
      assert.equal(await resolveBearerToken(t.ctx, token), null);
      await assert.rejects(
        authenticateWithPassword(t.ctx, { email: user.email, password: user.password, ip: '10.1.1.3' }),
        /Invalid email or password/,
      );
      const actor = await authenticateWithPassword(t.ctx, { email: user.email, password, ip: '10.1.1.3' });
      assert.deepEqual([actor.id, actor.role], [user.id, 'admin']);
    });
  });

  test('when two instances bootstrap at once, then exactly one admin is created', async () => {
    await withApp({}, async (t) => {
      const out = printer();
      const results = await Promise.all([
        bootstrapAdmin(t.ctx, { print: out.print }),
        bootstrapAdmin(t.ctx, { print: out.print }),
      ]);
      assert.deepEqual(results.map((r) => r.action).sort(), ['created', 'none']);
      assert.equal(out.printed.length, 1);
      assert.equal((await adminRows(t)).length, 1);
    });
  });
});

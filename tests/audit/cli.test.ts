// The operator CLI, run as a real child process: its writes are recorded as source 'cli', with no
// actor (a trusted operator on the server). User events never hold the password hash.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUser } from '../helpers/factories.js';
import { userEvents } from './audit-helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function runCli(databaseUrl: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'test' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('audit: operator CLI and user events', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when users:set-role runs, then one user event records the role change with source cli and no actor', async () => {
    const user = await createUser(t.ctx, { role: 'user', name: 'Promote Me' });
    const res = await runCli(t.database.url, ['users:set-role', '--email', user.email, '--role', 'moderator']);
    assert.equal(res.code, 0, res.stderr);

    const events = await userEvents(t.ctx, user.id);
    assert.equal(events.length, 2);
    const event = events[1]!;
    assert.equal(event.operation, 'update');
    assert.equal(event.source, 'cli');
    assert.equal(event.actor_id, null);
    assert.deepEqual(event.changed_fields, ['role']);
    assert.equal(event.role, 'moderator');
    assert.equal(events[0]!.role, 'user');
    assert.equal(event.email, user.email);
    assert.equal(event.name, 'Promote Me');
    assert.equal(event.is_active, true);
    assert.equal(event.password_changed, false);
  });

  test('when users:set-password runs, then the event says the password changed and holds no hash', async () => {
    const user = await createUser(t.ctx, { role: 'moderator' });
    const res = await runCli(t.database.url, [
      'users:set-password',
      '--email',
      user.email,
      '--password',
      'a brand new long password',
    ]);
    assert.equal(res.code, 0, res.stderr);

    const event = (await userEvents(t.ctx, user.id)).at(-1)!;
    assert.equal(event.source, 'cli');
    assert.deepEqual(event.changed_fields, ['password', 'password_changed_at']);
    assert.equal(event.password_changed, true);
    assert.equal(event.has_password, true);
    assert.ok(event.password_changed_at instanceof Date);
    const { rows } = await t.ctx.db.pool.query('SELECT password_hash FROM users WHERE id = $1', [user.id]);
    const hash: string = rows[0].password_hash;
    assert.match(hash, /^\$argon2id\$/);
    for (const [column, value] of Object.entries(event)) {
      assert.ok(!String(value).includes(hash), `column ${column} must not hold the hash`);
      assert.ok(!String(value).includes('$argon2'), `column ${column} must not hold any argon2 string`);
    }
  });

  test('when users:deactivate runs, then the event records is_active going false', async () => {
    const user = await createUser(t.ctx, { role: 'moderator' });
    const res = await runCli(t.database.url, ['users:deactivate', '--email', user.email]);
    assert.equal(res.code, 0, res.stderr);
    const event = (await userEvents(t.ctx, user.id)).at(-1)!;
    assert.equal(event.source, 'cli');
    assert.deepEqual(event.changed_fields, ['is_active']);
    assert.equal(event.is_active, false);
  });

  test('when the user_events table is inspected, then it has no column that could hold a password hash', async () => {
    const { rows } = await t.ctx.db.pool.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = 'user_events' ORDER BY ordinal_position`,
    );
    assert.deepEqual(
      rows.map((r) => r.column_name),
      [
        'event_id',
        'event_at',
        'operation',
        'changed_fields',
        'actor_id',
        'source',
        'request_id',
        'user_id',
        'email',
        'name',
        'role',
        'is_active',
        'has_password',
        'password_changed',
        'password_changed_at',
        'created_at',
      ],
    );
    const passwordColumns = rows.filter(
      (r) => r.column_name.startsWith('password') || r.column_name === 'has_password',
    );
    assert.deepEqual(
      passwordColumns.map((r) => r.data_type),
      ['boolean', 'boolean', 'timestamp with time zone'],
    );
  });

  test('when only last_login_at or updated_at changes, then no user event is recorded', async () => {
    const user = await createUser(t.ctx);
    await t.ctx.db.pool.query('UPDATE users SET last_login_at = now(), updated_at = now() WHERE id = $1', [user.id]);
    assert.equal((await userEvents(t.ctx, user.id)).length, 1);
  });
});

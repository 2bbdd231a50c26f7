// The operator CLI, run as real child processes against this file's test database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authenticateWithPassword } from '../../src/auth/auth.service.js';
import { resolveBearerToken } from '../../src/auth/tokens.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUser, createUserWithToken } from '../helpers/factories.js';
import { runCli } from './run-cli.js';

describe('npm run cli -- users:*', () => {
  let t: TestApp;
  const cli = (args: string[], stdin?: string) => runCli({ DATABASE_URL: t.database.url }, args, stdin);
  const userRow = async (email: string) =>
    (
      await t.ctx.db.pool.query(
        'SELECT id, role, is_active, name, password_hash, password_changed_at FROM users WHERE email = $1::citext',
        [email],
      )
    ).rows[0];
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when users:create gets --password, then exit 0, the user exists with an argon2id hash, audited as cli', async () => {
    const res = await cli([
      'users:create',
      '--email',
      'mod@example.com',
      '--name',
      'Mo Derator',
      '--role',
      'moderator',
      '--password',
      'moderator password 1',
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Created mod@example\.com \(role moderator, id [0-9a-f-]{36}\)/);
    const row = await userRow('mod@example.com');
    assert.deepEqual([row.role, row.is_active, row.name], ['moderator', true, 'Mo Derator']);
    assert.match(row.password_hash, /^\$argon2id\$/);
    const events = await t.ctx.db.pool.query('SELECT source FROM user_events WHERE user_id = $1', [row.id]);
    assert.deepEqual(events.rows, [{ source: 'cli' }]);
  });

  test('when users:create reads the password from stdin with --json, then the JSON has no hash and the password works', async () => {
    const res = await cli(
      ['users:create', '--email', 'piped@example.com', '--name', 'Piped', '--role', 'admin', '--json'],
      'piped password 123\n',
    );
    assert.equal(res.code, 0, res.stderr);
    const json = JSON.parse(res.stdout);
    assert.equal(json.email, 'piped@example.com');
    assert.equal(json.role, 'admin');
    assert.equal(json.has_password, true);
    assert.equal(res.stdout.includes('argon2'), false);
    assert.equal('password_hash' in json, false);
    const actor = await authenticateWithPassword(t.ctx, {
      email: 'piped@example.com',
      password: 'piped password 123',
      ip: '10.9.9.9',
    });
    assert.equal(actor.role, 'admin');
  });

  test('when the email is already taken (any case), then exit 4 with a clear message and nothing changes', async () => {
    await createUser(t.ctx, { email: 'dup@example.com', name: 'Original' });
    const res = await cli([
      'users:create',
      '--email',
      'DUP@example.com',
      '--name',
      'Copy',
      '--role',
      'user',
      '--password',
      'some password 1234',
    ]);
    assert.equal(res.code, 4);
    assert.match(res.stderr, /already exists/);
    assert.equal((await userRow('dup@example.com')).name, 'Original');
  });

  test('when the role is unknown, the password short, an option missing or unknown, then exit 2 and no user', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        [
          'users:create',
          '--email',
          'x1@example.com',
          '--name',
          'X',
          '--role',
          'boss',
          '--password',
          'long enough pass',
        ],
        /Unknown role "boss"/,
      ],
      [
        ['users:create', '--email', 'x2@example.com', '--name', 'X', '--role', 'user', '--password', 'short'],
        /password: must be at least 12 characters/,
      ],
      [
        ['users:create', '--email', 'x3@example.com', '--role', 'user', '--password', 'long enough pass'],
        /Missing --name/,
      ],
      [
        ['users:create', '--email', 'x4@example.com', '--name', 'X', '--role', 'user', '--pasword', 'typo'],
        /Unknown option '--pasword'/,
      ],
      [['users:create', '--email', 'x5@example.com', '--name', 'X', '--role', 'user'], /No password given/],
      [['users:promote', '--email', 'x6@example.com'], /Unknown command "users:promote"/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((res, i) => {
      assert.equal(res.code, 2, `${cases[i]![0].join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, cases[i]![1]);
    });
    const { rows } = await t.ctx.db.pool.query(
      "SELECT count(*)::int AS n FROM users WHERE email LIKE 'x_@example.com'",
    );
    assert.equal(rows[0].n, 0);
  });

  test('when users:set-password gets a new password on stdin, then it works, the old one not, and tokens are revoked', async () => {
    const { user, token } = await createUserWithToken(t.ctx, { email: 'reset@example.com' });
    const res = await cli(['users:set-password', '--email', 'reset@example.com'], 'brand new password 9\n');
    assert.equal(res.code, 0, res.stderr);
    assert.ok((await userRow('reset@example.com')).password_changed_at);
    assert.equal(await resolveBearerToken(t.ctx, token), null);
    await authenticateWithPassword(t.ctx, { email: user.email, password: 'brand new password 9', ip: '10.9.9.8' });
    await assert.rejects(
      authenticateWithPassword(t.ctx, { email: user.email, password: user.password, ip: '10.9.9.8' }),
      /Invalid email or password/,
    );
  });

  test('when users:set-role and users:deactivate name a user, then they change it; an unknown user exits 3', async () => {
    const { token } = await createUserWithToken(t.ctx, { email: 'promote@example.com', role: 'user' });
    const promoted = await cli(['users:set-role', '--email', 'promote@example.com', '--role', 'moderator']);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.equal((await userRow('promote@example.com')).role, 'moderator');
    const deactivated = await cli(['users:deactivate', '--email', 'promote@example.com']);
    assert.equal(deactivated.code, 0, deactivated.stderr);
    assert.equal((await userRow('promote@example.com')).is_active, false);
    assert.equal(await resolveBearerToken(t.ctx, token), null);
    const unknown = await cli(['users:set-role', '--email', 'ghost@example.com', '--role', 'admin']);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /User not found/);
  });

  test('when the last active admin would be deactivated, then exit 4 and the admin stays', async () => {
    await t.ctx.db.pool.query("UPDATE users SET role = 'user' WHERE role = 'admin'");
    await createUser(t.ctx, { email: 'last.admin@example.com', role: 'admin' });
    const res = await cli(['users:deactivate', '--email', 'last.admin@example.com']);
    assert.equal(res.code, 4);
    assert.match(res.stderr, /last active admin/);
    assert.equal((await userRow('last.admin@example.com')).is_active, true);
  });

  test('when help is asked for, then exit 0 and every command is listed', async () => {
    const res = await cli(['help']);
    assert.equal(res.code, 0);
    for (const name of ['users:create', 'users:set-password', 'users:set-role', 'users:deactivate']) {
      assert.match(res.stdout, new RegExp(name));
    }
  });
});

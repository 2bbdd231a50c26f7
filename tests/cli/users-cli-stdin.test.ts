// Passwords piped to the CLI are read one line per prompt (password, then its repetition), as
// `printf 'pw\npw\n' | npm run cli -- users:create ...` expects; the stored hash is checked with
// argon2 itself, so "the password works" means exactly the first line and nothing else.
import assert from 'node:assert/strict';
import argon2 from 'argon2';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUser } from '../helpers/factories.js';
import { runCli } from './run-cli.js';

const create = (email: string, ...extra: string[]) => [
  'users:create',
  '--email',
  email,
  '--name',
  'Piped',
  '--role',
  'moderator',
  ...extra,
];

describe('npm run cli -- users:* with the password on piped stdin', () => {
  let t: TestApp;
  const cli = (args: string[], stdin?: string) => runCli({ DATABASE_URL: t.database.url }, args, stdin);
  const hashOf = async (email: string): Promise<string | undefined> =>
    (await t.ctx.db.pool.query('SELECT password_hash FROM users WHERE email = $1::citext', [email])).rows[0]
      ?.password_hash;

  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when the password and its repetition are piped on two lines, then the password is the first line alone', async () => {
    const [unix, windows] = await Promise.all([
      cli(create('two.lines@example.com'), 'first line pass 1\nfirst line pass 1\n'),
      cli(create('crlf@example.com'), 'windows pass 123\r\nwindows pass 123\r\n'),
    ]);
    assert.equal(unix.code, 0, unix.stderr);
    assert.equal(windows.code, 0, windows.stderr);

    const hash = (await hashOf('two.lines@example.com'))!;
    assert.equal(await argon2.verify(hash, 'first line pass 1'), true);
    assert.equal(await argon2.verify(hash, 'first line pass 1\nfirst line pass 1'), false);
    assert.equal(await argon2.verify((await hashOf('crlf@example.com'))!, 'windows pass 123'), true);
  });

  test('when the two piped lines differ, then exit 2 and no user is created', async () => {
    const res = await cli(create('differ@example.com'), 'one password 1234\nanother password 5\n');
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /The two passwords differ/);
    assert.equal(await hashOf('differ@example.com'), undefined);
  });

  test('when --password contains a line break, then exit 2 and nothing is stored', async () => {
    const { password } = await createUser(t.ctx, { email: 'keeps.old@example.com' });
    const before = await hashOf('keeps.old@example.com');
    const [created, reset] = await Promise.all([
      cli(create('newline@example.com', '--password', 'twelve chars+\nmore text')),
      cli(['users:set-password', '--email', 'keeps.old@example.com', '--password', 'twelve chars+\r\nmore']),
    ]);
    for (const res of [created, reset]) {
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /contains a line break/);
    }
    assert.equal(await hashOf('newline@example.com'), undefined);
    assert.equal(await hashOf('keeps.old@example.com'), before);
    assert.equal(await argon2.verify(before!, password), true);
  });

  test('when users:set-password gets the new password on two lines, then the first line is the new password', async () => {
    await createUser(t.ctx, { email: 'reset.piped@example.com' });
    const res = await cli(
      ['users:set-password', '--email', 'reset.piped@example.com'],
      'new piped pass 42\nnew piped pass 42\n',
    );
    assert.equal(res.code, 0, res.stderr);
    assert.equal(await argon2.verify((await hashOf('reset.piped@example.com'))!, 'new piped pass 42'), true);
  });

  test('when the first piped line is empty, then exit 2: no password was given', async () => {
    const res = await cli(create('empty@example.com'), '\nsome password 123\n');
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /No password given/);
    assert.equal(await hashOf('empty@example.com'), undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

function rejects(env: Record<string, string>, variable: string) {
  assert.throws(
    () => loadConfig(env),
    (err: Error) => {
      assert.ok(err instanceof ConfigError, 'a ConfigError');
      assert.match(err.message, new RegExp(`\\b${variable}\\b`), `names ${variable}: ${err.message}`);
      return true;
    },
  );
}

describe('loadConfig', () => {
  test('when nothing is set, then the documented defaults apply', () => {
    const c = loadConfig({});
    assert.equal(c.NODE_ENV, 'development');
    assert.equal(c.PORT, 3000);
    assert.equal(c.HOST, '0.0.0.0');
    assert.equal(c.DATABASE_URL, undefined);
    assert.equal(c.EMBEDDED_PG_PORT, 54329);
    assert.equal(c.DATA_DIR, '.data');
    assert.equal(c.LOG_LEVEL, 'info');
    assert.equal(c.TRUST_PROXY, false);
    assert.equal(c.HONEYPOT_FIELD, 'website');
    assert.equal(c.RATE_LIMIT_ENABLED, true);
    assert.equal(c.RATE_LIMIT_PER_MINUTE, 5);
    assert.equal(c.RATE_LIMIT_PER_HOUR, 30);
    assert.equal(c.RATE_LIMIT_SITE_PER_HOUR, 1000);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.isProduction, false);
  });

  test('when values are given, then they are parsed to their types', () => {
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://app:secret@db.internal:5432/contactdesk',
      TRUST_PROXY: 'TRUE',
      RATE_LIMIT_ENABLED: 'no',
      RATE_LIMIT_PER_MINUTE: '7',
      PUBLIC_URL: 'https://support.example.com/',
    });
    assert.equal(c.PORT, 8080);
    assert.equal(c.DATABASE_URL, 'postgresql://app:secret@db.internal:5432/contactdesk');
    assert.equal(c.TRUST_PROXY, true);
    assert.equal(c.RATE_LIMIT_ENABLED, false);
    assert.equal(c.RATE_LIMIT_PER_MINUTE, 7);
    assert.equal(c.publicUrl, 'https://support.example.com', 'trailing slash dropped');
  });

  test('when a variable is set but blank (PORT= in a .env file), then its default applies', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: '  ', TRUST_PROXY: '', RATE_LIMIT_PER_HOUR: '' });
    assert.equal(c.PORT, 3000);
    assert.equal(c.DATABASE_URL, undefined);
    assert.equal(c.TRUST_PROXY, false);
    assert.equal(c.RATE_LIMIT_PER_HOUR, 30);
  });

  test('when a value is invalid, then a ConfigError names the variable', () => {
    rejects({ PORT: 'abc' }, 'PORT');
    rejects({ PORT: '70000' }, 'PORT');
    rejects({ PORT: '80.5' }, 'PORT');
    rejects({ EMBEDDED_PG_PORT: '0' }, 'EMBEDDED_PG_PORT');
    rejects({ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE');
    rejects({ RATE_LIMIT_PER_HOUR: '0' }, 'RATE_LIMIT_PER_HOUR');
    rejects({ RATE_LIMIT_SITE_PER_HOUR: 'lots' }, 'RATE_LIMIT_SITE_PER_HOUR');
    rejects({ DATABASE_URL: 'not-a-url' }, 'DATABASE_URL');
    rejects({ DATABASE_URL: 'mysql://root@localhost/db' }, 'DATABASE_URL');
    rejects({ PUBLIC_URL: 'support.example.com' }, 'PUBLIC_URL');
    rejects({ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY');
    rejects({ RATE_LIMIT_ENABLED: 'on-ish' }, 'RATE_LIMIT_ENABLED');
    rejects({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL');
    rejects({ NODE_ENV: 'staging' }, 'NODE_ENV');
    rejects({ HONEYPOT_FIELD: 'my field' }, 'HONEYPOT_FIELD');
    rejects({ HONEYPOT_FIELD: 'email' }, 'HONEYPOT_FIELD');
  });

  test('when several values are invalid, then every one is named', () => {
    assert.throws(
      () => loadConfig({ PORT: 'abc', DATABASE_URL: 'nope' }),
      (err: Error) => /PORT/.test(err.message) && /DATABASE_URL/.test(err.message),
    );
  });

  test('when NODE_ENV=production has no SESSION_SECRET, then start-up is refused', () => {
    rejects({ NODE_ENV: 'production' }, 'SESSION_SECRET');
    rejects({ NODE_ENV: 'production', SESSION_SECRET: 'a'.repeat(32) }, 'MAIL_SIGNING_SECRET');
    const c = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'a'.repeat(32), MAIL_SIGNING_SECRET: 'b'.repeat(32) });
    assert.equal(c.isProduction, true);
  });

  test('when SESSION_SECRET is too short, then it is refused in any environment', () => {
    rejects({ SESSION_SECRET: 'short' }, 'SESSION_SECRET');
  });
});

// Security headers: helmet on the API and the public pages, and the panel's own CSP (nonced
// inline scripts, frame-ancestors 'none'). That the panel actually works under it in a browser
// is tests/admin/panel.browser.test.ts (it fails on any console error, CSP violations included).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin } from '../helpers/admin-login.js';
import { createUser } from '../helpers/factories.js';

/** The CSP as { directive: value }. */
function csp(res: { headers: Record<string, unknown> }): Record<string, string> {
  const raw = String(res.headers['content-security-policy'] ?? '');
  return Object.fromEntries(
    raw
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(' ')[0]!, d.split(' ').slice(1).join(' ')]),
  );
}

describe('security headers', () => {
  let t: TestApp;
  before(async () => {
    t = await createPanelTestApp();
  });
  after(() => t.close());

  test('when the API answers, then helmet headers are set with frame-ancestors none and no https upgrade over http', async () => {
    for (const url of ['/healthz', '/api/v1/openapi.json', '/api/v1/nowhere']) {
      const res = await request(t.app).get(url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', url);
      assert.equal(res.headers['x-powered-by'], undefined, url);
      const policy = csp(res);
      assert.equal(policy['frame-ancestors'], "'none'", url);
      assert.equal(policy['default-src'], "'self'", url);
      assert.equal(policy['script-src'], "'self'", url);
      assert.ok(!('upgrade-insecure-requests' in policy), 'PUBLIC_URL is http: no upgrade');
    }
  });

  test('when the login page is served, then its CSP allows scripts by a fresh nonce that every <script> carries, and forbids framing', async () => {
    const a = await request(t.app).get('/admin/login').expect(200);
    const b = await request(t.app).get('/admin/login').expect(200);
    const policy = csp(a);
    assert.equal(policy['frame-ancestors'], "'none'");
    assert.equal(policy['object-src'], "'none'");
    assert.equal(policy['form-action'], "'self'");
    assert.equal(a.headers['x-frame-options'], 'DENY');
    const nonce = /'nonce-([^']+)'/.exec(policy['script-src']!)?.[1];
    assert.ok(nonce && nonce.length >= 16, policy['script-src']);
    assert.doesNotMatch(policy['script-src']!, /unsafe-inline|unsafe-eval/);
    assert.notEqual(/'nonce-([^']+)'/.exec(csp(b)['script-src']!)?.[1], nonce, 'a new nonce per response');
    const tags = [...a.text.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    assert.ok(tags.length >= 5, tags.join(''));
    for (const tag of tags) assert.ok(tag.includes(`nonce="${nonce}"`), tag);
    assert.doesNotMatch(a.text, /fonts\.googleapis\.com/, 'no third-party stylesheet');
  });

  test('when the login page is served, then its font comes from the desk itself, every face of it', async () => {
    const page = await request(t.app).get('/admin/login').expect(200);
    const href = /<link rel="stylesheet" href="([^"]*roboto\.css)">/.exec(page.text)?.[1];
    assert.equal(href, '/admin/frontend/assets/fonts/roboto.css');
    const css = await request(t.app)
      .get(href!)
      .expect(200)
      .expect('Content-Type', /text\/css/);
    assert.doesNotMatch(css.text, /https?:\/\//, 'no absolute (third-party) URL in the stylesheet');
    const files = [...css.text.matchAll(/url\(\.\/files\/([^)]+\.woff2)\)/g)].map((m) => m[1]!);
    for (const weight of [300, 400, 500, 700])
      assert.ok(files.includes(`roboto-latin-${weight}-normal.woff2`), `${weight}`);
    const font = await request(t.app)
      .get(`/admin/frontend/assets/fonts/files/roboto-latin-400-normal.woff2`)
      .expect(200);
    assert.equal(Buffer.from(font.body).subarray(0, 4).toString('latin1'), 'wOF2');
    await request(t.app).get('/admin/frontend/assets/fonts/files/..%2f..%2fpackage.json').expect(404);
  });

  test('when a user name holds a </script> tag, then the panel page escapes it and blesses no extra script', async () => {
    const plain = await createUser(t.ctx, { role: 'moderator', name: 'Plain Name' });
    const evil = await createUser(t.ctx, {
      role: 'moderator',
      name: 'Eve</script><script>alert(1)</script>',
    });
    const count = async (user: typeof plain) => {
      const page = await (await panelLogin(t.app, user)).get('/admin').expect(200);
      return { tags: page.text.match(/<script/g)!.length, text: page.text };
    };
    const normal = await count(plain);
    const attacked = await count(evil);
    assert.equal(attacked.tags, normal.tags, 'the name adds no <script> tag');
    assert.match(attacked.text, /Eve\\u003c\/script>\\u003cscript>alert\(1\)/);
  });
});

describe('security headers behind https', () => {
  let t: TestApp;
  before(async () => {
    t = await createPanelTestApp({ env: { PUBLIC_URL: 'https://desk.example.com' } });
  });
  after(() => t.close());

  test('when PUBLIC_URL is https, then API and panel ask browsers to upgrade requests and HSTS is sent', async () => {
    for (const url of ['/healthz', '/admin/login']) {
      const res = await request(t.app).get(url);
      assert.ok('upgrade-insecure-requests' in csp(res), url);
      assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/, url);
    }
  });
});

// The panel's page weight, checked by what the server sends (not by timing): outside
// NODE_ENV=production (tests run with NODE_ENV=test) the page still references AdminJS's
// production bundles, each script comes compressed when the browser asks for it, and under a
// content-versioned URL with a year-long immutable Cache-Control. The figures themselves come
// from bench/panel-weight.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { ADMIN_BUNDLE_FILE, PROJECT_ROOT } from '../../admin/paths.js';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { ensureAdminBundle } from '../helpers/browser.js';
import { createTicket, createUser } from '../helpers/factories.js';

const req = createRequire(path.join(PROJECT_ROOT, 'package.json'));
const adminjsDir = path.dirname(req.resolve('adminjs'));
const dsDir = path.join(path.dirname(req.resolve('@adminjs/design-system')), '..');
// What each script URL of the page must serve, byte for byte.
const EXPECTED: Record<string, string> = {
  'global.bundle.js': path.join(adminjsDir, 'lib/frontend/assets/scripts/global-bundle.production.js'),
  'design-system.bundle.js': path.join(dsDir, 'bundle.production.js'),
  'app.bundle.js': path.join(adminjsDir, 'lib/frontend/assets/scripts/app-bundle.production.js'),
  'components.bundle.js': ADMIN_BUNDLE_FILE,
};

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Raw body bytes (superagent has already undone any content-encoding). */
const binary = (res: request.Response, cb: (err: Error | null, body: unknown) => void) => {
  // In Node, superagent hands the parser the (already decompressed) response stream.
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('panel page weight: production bundles, compressed, cached', () => {
  let t: TestApp;
  let agent: PanelAgent;
  let scripts: string[];
  before(async () => {
    ensureAdminBundle();
    t = await createPanelTestApp();
    const mod = await createUser(t.ctx, { role: 'moderator' });
    // Enough rows that the list JSON is over compression's 1 kB threshold.
    for (let i = 0; i < 5; i++) await createTicket(t.ctx, { subject: `Weight ${i}` });
    agent = await panelLogin(t.app, mod);
    const page = await agent.get('/admin').expect(200);
    scripts = [...page.text.matchAll(/<script[^>]* src="([^"]+)"/g)].map((m) => m[1]!);
  });
  after(() => t?.close());

  test('when the panel page loads outside production, then it references each production bundle under a content-hash URL', () => {
    for (const [name, file] of Object.entries(EXPECTED)) {
      const version = sha(readFileSync(file)).slice(0, 16);
      assert.ok(
        scripts.includes(`/admin/frontend/assets/${name}?v=${version}`),
        `${name}?v=${version} in ${scripts.join(', ')}`,
      );
    }
  });

  test('when the browser accepts gzip or br, then every script comes compressed, immutable for a year, and is the production file', async () => {
    for (const encoding of ['gzip', 'br']) {
      for (const src of scripts) {
        const res = await agent.get(src).set('Accept-Encoding', encoding).buffer(true).parse(binary).expect(200);
        assert.equal(res.headers['content-encoding'], encoding, `${src} with Accept-Encoding ${encoding}`);
        assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', src);
        assert.match(String(res.headers['content-type']), /javascript/);
        const name = /assets\/([^?]+)/.exec(src)![1]!;
        assert.equal(sha(res.body as Buffer), sha(readFileSync(EXPECTED[name]!)), `${src} serves ${EXPECTED[name]}`);
      }
    }
  });

  test('when the production bundle is requested before sign-in, then it is served too (the login page needs it)', async () => {
    const app = scripts.find((s) => s.includes('app.bundle.js'))!;
    const res = await request(t.app).get(app).set('Accept-Encoding', 'gzip').buffer(true).parse(binary).expect(200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    // The development bundle is ~4.6 MB; the production one ~0.7 MB.
    assert.ok((res.body as Buffer).length < 1_000_000, `${(res.body as Buffer).length} bytes`);
  });

  test('when a script is asked for without its version or with an old one, then it is cached a day, not immutable', async () => {
    const app = scripts.find((s) => s.includes('app.bundle.js'))!;
    for (const url of [app.split('?')[0]!, `${app.split('?')[0]}?v=0123456789abcdef`]) {
      const res = await agent.get(url).buffer(true).parse(binary).expect(200);
      assert.equal(res.headers['cache-control'], 'public, max-age=86400', url);
    }
  });

  test('when the panel API answers JSON, then it is compressed too', async () => {
    const res = await agent.get('/admin/api/resources/tickets/actions/list').set('Accept-Encoding', 'gzip').expect(200);
    assert.equal(res.headers['content-encoding'], 'gzip');
  });

  test('when a CSV export is downloaded, then it streams uncompressed (no core spent gzipping hundreds of MB)', async () => {
    const res = await agent.get('/admin/export/tickets.csv').set('Accept-Encoding', 'gzip').expect(200);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.match(res.text, /^\uFEFF?ticket_number,/);
  });
});

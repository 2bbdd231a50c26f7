// The widget's server side without a browser: CORS (preflight, refusal before anything is
// written), Idempotency-Key replay, redirect_to, translated pages, the widget's two files.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { buildMessage } from '../../src/mail/mail.message.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ensureWidgetBundle } from './widget-helpers.js';

const SUBMIT = '/api/v1/contact/submit';
const SITE = 'https://www.shop.test';
const OTHER = 'https://evil.test';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const input = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Order 42', message: 'Where is it?' };

describe('widget API: CORS, Idempotency-Key, redirect_to, languages', () => {
  let t: TestApp;
  const count = async () =>
    Number((await t.ctx.db.pool.query('SELECT count(*) FROM contact_submissions')).rows[0].count);

  before(async () => {
    ensureWidgetBundle();
    t = await createTestApp({ env: { ALLOWED_ORIGINS: `${SITE}, http://127.0.0.1:9`, SITE_NAME: 'Shop Support' } });
  });
  after(() => t.close());

  test('when an allowed origin sends a preflight, then it is answered 204 with the widget headers allowed', async () => {
    const res = await request(t.app)
      .options(SUBMIT)
      .set('Origin', SITE)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type, idempotency-key, authorization')
      .expect(204);
    assert.equal(res.headers['access-control-allow-origin'], SITE);
    assert.match(String(res.headers['access-control-allow-headers']), /Idempotency-Key/);
    assert.match(String(res.headers['access-control-allow-methods']), /POST/);
    assert.match(String(res.headers.vary), /Origin/);
  });

  test('when an allowed origin submits, then the ticket is created and the answer is readable by the site', async () => {
    const res = await request(t.app).post(SUBMIT).set('Origin', SITE).send(input).expect(201);
    assert.equal(res.headers['access-control-allow-origin'], SITE);
    assert.match(res.body.ticket_number, /^CONT-/);
  });

  test('when an origin not on the list submits (or preflights), then 403 and no row is written', async () => {
    const before = await count();
    const res = await request(t.app).post(SUBMIT).set('Origin', OTHER).send(input).expect(403);
    assert.equal(res.body.error.code, 'origin_not_allowed');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    await request(t.app).options(SUBMIT).set('Origin', OTHER).set('Access-Control-Request-Method', 'POST').expect(403);
    // A simple (no-preflight) form-encoded fetch() is refused the same way.
    await request(t.app)
      .post(SUBMIT)
      .set('Origin', OTHER)
      .set('Sec-Fetch-Mode', 'cors')
      .type('form')
      .send(input)
      .expect(403);
    // The rest of /api/v1 too.
    await request(t.app)
      .post('/api/v1/auth/token')
      .set('Origin', OTHER)
      .send({ email: 'a@b.test', password: 'x' })
      .expect(403);
    assert.equal(await count(), before);
  });

  test("when there is no Origin (curl) or the desk's own origin, then nothing changes", async () => {
    await request(t.app).post(SUBMIT).send(input).expect(201);
    const own = await request(t.app).post(SUBMIT).set('Origin', 'http://localhost:3000').send(input).expect(201);
    assert.equal(own.headers['access-control-allow-origin'], undefined);
  });

  test('when a plain HTML form on any site is submitted (a navigation), then it keeps working', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Origin', OTHER)
      .set('Sec-Fetch-Mode', 'navigate')
      .set('Accept', BROWSER_ACCEPT)
      .type('form')
      .send({ ...input, website: '' })
      .expect(201);
    assert.match(res.text, /Thank you, Ann Lee/);
    assert.match(res.text, /Shop Support/);
  });

  test('when a submit is retried with the same Idempotency-Key, then the same ticket is answered, not a second one', async () => {
    const before = await count();
    const key = 'retry-key-0001';
    const first = await request(t.app)
      .post(SUBMIT)
      .set('Origin', SITE)
      .set('Idempotency-Key', key)
      .send(input)
      .expect(201);
    const again = await request(t.app)
      .post(SUBMIT)
      .set('Origin', SITE)
      .set('Idempotency-Key', key)
      .send(input)
      .expect(201);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(await count(), before + 1);
    const mails = await t.ctx.db.pool.query(
      "SELECT count(*)::int AS n FROM email_deliveries WHERE ticket_id = $1 AND kind = 'contact_confirmation'",
      [first.body.id],
    );
    assert.equal(mails.rows[0].n, 1, 'one confirmation, not two');
  });

  test('when two requests with one key arrive at once (a double click), then one ticket is created', async () => {
    const before = await count();
    const send = () => request(t.app).post(SUBMIT).set('Idempotency-Key', 'double-click-0001').send(input);
    const [a, b] = await Promise.all([send(), send()]);
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.equal(a.body.id, b.body.id);
    assert.equal(await count(), before + 1);
  });

  test('when the same key comes with another body, then 422 and nothing is written', async () => {
    await request(t.app).post(SUBMIT).set('Idempotency-Key', 'reused-key-0001').send(input).expect(201);
    const before = await count();
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Idempotency-Key', 'reused-key-0001')
      .send({ ...input, subject: 'Something else' })
      .expect(422);
    assert.equal(res.body.error.code, 'idempotency_key_reused');
    assert.equal(await count(), before);
    await request(t.app).post(SUBMIT).set('Idempotency-Key', 'bad key!').send(input).expect(400);
  });

  test('when the ticket of a key was deleted, then the key makes a new ticket', async () => {
    const key = 'deleted-ticket-0001';
    const first = await request(t.app).post(SUBMIT).set('Idempotency-Key', key).send(input).expect(201);
    await t.ctx.db.pool.query('DELETE FROM contact_submissions WHERE id = $1', [first.body.id]);
    const again = await request(t.app).post(SUBMIT).set('Idempotency-Key', key).send(input).expect(201);
    assert.notEqual(again.body.id, first.body.id);
    assert.equal(again.headers['idempotent-replayed'], undefined);
  });

  test('when a form names redirect_to on an allowed origin, then 303 there with the ticket number', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Accept', BROWSER_ACCEPT)
      .type('form')
      .send({ ...input, website: '', redirect_to: `${SITE}/thanks?from=form` })
      .expect(303);
    const location = new URL(String(res.headers.location));
    assert.equal(location.origin, SITE);
    assert.equal(location.searchParams.get('from'), 'form');
    assert.match(String(location.searchParams.get('ticket')), /^CONT-/);
  });

  test('when redirect_to points elsewhere, then 400 names the field and no row is written', async () => {
    const before = await count();
    const res = await request(t.app)
      .post(SUBMIT)
      .type('form')
      .send({ ...input, website: '', redirect_to: `${OTHER}/phish` })
      .expect(400);
    assert.ok(res.body.error.fields.redirect_to, 'the field is named');
    assert.equal(await count(), before);
  });

  test('when the form says lang=de, then the thank-you page is German and the ticket (and its audit event) store de', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Accept', BROWSER_ACCEPT)
      .type('form')
      .send({ ...input, website: '', lang: 'de' })
      .expect(201);
    assert.match(res.text, /<html lang="de"/);
    assert.match(res.text, /Vielen Dank, Ann Lee/);
    assert.match(res.text, /Shop Support/);
    const { rows } = await t.ctx.db.pool.query(
      `SELECT t.language::text, e.language::text AS audited FROM contact_submissions t
       JOIN contact_submission_events e ON e.ticket_id = t.id ORDER BY t.created_at DESC LIMIT 1`,
    );
    assert.deepEqual(rows[0], { language: 'de', audited: 'de' });
  });

  test('when a ticket is German, then its confirmation mail is German and the staff alert stays English', () => {
    const ticket = {
      id: '00000000-0000-4000-8000-000000000001',
      ticketNumber: 'CONT-20261202-0001',
      ...input,
      category: 'general',
      resolutionNotes: '',
      language: 'de',
    };
    const mail = buildMessage(
      ticket,
      { id: '00000000-0000-4000-8000-000000000002', kind: 'contact_confirmation', recipient: input.email },
      t.ctx.config,
    );
    assert.match(mail.subject, /Wir haben Ihre Nachricht erhalten: Order 42/);
    assert.match(mail.text, /Hallo Ann Lee,/);
    assert.match(mail.html, /<html lang="de">/);
    const fr = buildMessage(
      { ...ticket, language: 'fr' },
      { id: '00000000-0000-4000-8000-000000000003', kind: 'contact_confirmation', recipient: input.email },
      t.ctx.config,
    );
    assert.match(fr.text, /Bonjour Ann Lee,/);
    // Arabic and Hebrew: translated, and laid out right to left.
    for (const [language, greeting, subject] of [
      ['ar', /مرحبًا Ann Lee،/, /استلمنا رسالتك: Order 42/],
      ['he', /שלום Ann Lee,/, /קיבלנו את הודעתך: Order 42/],
    ] as const) {
      const rtl = buildMessage(
        { ...ticket, language },
        { id: '00000000-0000-4000-8000-000000000005', kind: 'contact_confirmation', recipient: input.email },
        t.ctx.config,
      );
      assert.match(rtl.text, greeting);
      assert.match(rtl.subject, subject);
      assert.match(rtl.html, new RegExp(`<html lang="${language}" dir="rtl">`));
      assert.doesNotMatch(rtl.text, /Hello|received/, `${language}: no English left in the body`);
    }
    const alert = buildMessage(
      ticket,
      { id: '00000000-0000-4000-8000-000000000004', kind: 'contact_admin_notification', recipient: 'ops@example.com' },
      t.ctx.config,
    );
    assert.match(alert.text, /A new contact submission arrived/);
  });

  test('when Accept-Language is French and a field is wrong, then the error page and JSON fields are French', async () => {
    const page = await request(t.app)
      .post(SUBMIT)
      .set('Accept', BROWSER_ACCEPT)
      .set('Accept-Language', 'fr-CH, en;q=0.5')
      .type('form')
      .send({ ...input, website: '', email: 'nope' })
      .expect(400);
    assert.match(page.text, /Veuillez vérifier le formulaire/);
    assert.match(page.text, /Saisissez une adresse e-mail valide/);
    const json = await request(t.app)
      .post(SUBMIT)
      .send({ ...input, email: 'nope', lang: 'es' })
      .expect(400);
    assert.deepEqual(json.body.error.fields.email, ['Introduzca una dirección de correo válida.']);
  });

  test('when the widget files are fetched, then they are cacheable, cross-origin and the bundle is small', async () => {
    const js = await request(t.app).get('/widget.js').set('Accept-Encoding', 'gzip').buffer(true).expect(200);
    assert.equal(js.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(js.headers['content-encoding'], 'gzip');
    assert.match(String(js.headers['cache-control']), /max-age=\d{5,}/);
    assert.ok(Number(js.headers['content-length']) <= 25 * 1024, `gzipped ${js.headers['content-length']} B`);
    await request(t.app).get('/widget.js').set('If-None-Match', String(js.headers.etag)).expect(304);
    const cfg = await request(t.app).get('/widget/config.json?lang=ar').expect(200);
    assert.equal(cfg.headers['access-control-allow-origin'], '*');
    assert.equal(cfg.body.dir, 'rtl');
    assert.equal(cfg.body.fields.subject.maxLength, 255);
    assert.equal(cfg.body.fields.message.maxLength, 20_000);
    assert.equal(cfg.body.honeypot, 'website');
  });
});

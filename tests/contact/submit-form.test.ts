import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';

const SUBMIT = '/api/v1/contact/submit';
// What a browser sends for a plain <form method="post">, including the empty honeypot input.
const form = {
  name: 'Ann Lee',
  email: 'ann@example.com',
  subject: 'Hello from the website',
  message: 'Line one\r\nLine two',
  category: 'bug',
  website: '',
};
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('POST /api/v1/contact/submit with an HTML form body', () => {
  let t: TestApp;
  const countRows = async () =>
    Number((await t.ctx.db.pool.query('SELECT count(*) FROM contact_submissions')).rows[0].count);

  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('when a form is posted without an Accept preference, then the ticket is created and JSON returned', async () => {
    const res = await request(t.app).post(SUBMIT).type('form').send(form).expect(201);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.match(res.body.ticket_number, /^CONT-\d{8}-\d{4,}$/);
    assert.equal(res.body.category, 'bug');
    assert.equal(res.body.message, 'Line one\r\nLine two');
    const { rows } = await t.ctx.db.pool.query('SELECT subject, category FROM contact_submissions WHERE id = $1', [
      res.body.id,
    ]);
    assert.deepEqual(rows[0], { subject: 'Hello from the website', category: 'bug' });
  });

  test('when a browser posts the form (Accept prefers HTML), then a thank-you page shows the ticket number', async () => {
    const before = await countRows();
    const res = await request(t.app).post(SUBMIT).set('Accept', BROWSER_ACCEPT).type('form').send(form).expect(201);
    assert.match(String(res.headers['content-type']), /text\/html/);
    const { rows } = await t.ctx.db.pool.query(
      'SELECT ticket_number FROM contact_submissions ORDER BY created_at DESC, ticket_number DESC LIMIT 1',
    );
    assert.equal(await countRows(), before + 1);
    assert.ok(res.text.includes(rows[0].ticket_number), 'the page names the new ticket number');
    assert.match(res.text, /Thank you, Ann Lee/);
  });

  test('when a browser posts an invalid form, then a 400 HTML page lists the problems and no row is written', async () => {
    const before = await countRows();
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Accept', BROWSER_ACCEPT)
      .type('form')
      .send({ ...form, email: 'nope', name: '' })
      .expect(400);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.text, /<strong>email<\/strong>/);
    assert.match(res.text, /<strong>name<\/strong>/);
    assert.equal(await countRows(), before);
  });

  test('when submitted values contain markup, then the thank-you page escapes them', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Accept', BROWSER_ACCEPT)
      .type('form')
      .send({ ...form, name: '<script>alert(1)</script>' })
      .expect(201);
    assert.ok(!res.text.includes('<script>alert(1)</script>'));
    assert.ok(res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });

  test('when JSON is posted with a browser Accept header, then the answer is still JSON', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Accept', BROWSER_ACCEPT)
      .send({ name: 'Ann', email: 'ann@example.com', subject: 'Hi', message: 'JSON client' })
      .expect(201);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.equal(res.body.message, 'JSON client');
  });

  test('when a form field is repeated, then it is rejected as not a single string', async () => {
    const before = await countRows();
    const res = await request(t.app)
      .post(SUBMIT)
      .type('form')
      .send('name=Ann&name=Bob&email=ann%40example.com&subject=Hi&message=Hello')
      .expect(400);
    assert.equal(res.body.error.code, 'validation_error');
    assert.ok(res.body.error.fields.name);
    assert.equal(await countRows(), before);
  });

  test('when a form uses bracket syntax, then it is an unknown field (no nested objects)', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .type('form')
      .send('name[first]=Ann&email=ann%40example.com&subject=Hi&message=Hello')
      .expect(400);
    assert.deepEqual(res.body.error.fields['name[first]'], ['unknown field']);
  });
});

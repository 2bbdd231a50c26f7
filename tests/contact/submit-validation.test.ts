import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';

const SUBMIT = '/api/v1/contact/submit';
const valid = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Hello', message: 'Something broke' };

describe('POST /api/v1/contact/submit validation', () => {
  let t: TestApp;
  let rowsBefore: number;
  const countRows = async () =>
    Number((await t.ctx.db.pool.query('SELECT count(*) FROM contact_submissions')).rows[0].count);

  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());
  beforeEach(async () => {
    rowsBefore = await countRows();
  });

  /** The documented 400: code, message, and messages for exactly the named fields; no row written. */
  async function expectRejected(body: unknown, fields: string[]) {
    const res = await request(t.app)
      .post(SUBMIT)
      .send(body as object)
      .expect(400);
    assert.equal(res.body.error.code, 'validation_error');
    assert.equal(typeof res.body.error.message, 'string');
    assert.deepEqual(Object.keys(res.body.error.fields).sort(), [...fields].sort());
    for (const f of fields) {
      assert.ok(Array.isArray(res.body.error.fields[f]) && res.body.error.fields[f].length > 0, f);
      for (const msg of res.body.error.fields[f]) assert.equal(typeof msg, 'string');
    }
    assert.equal(await countRows(), rowsBefore, 'no row may be written for a rejected submission');
    return res.body.error;
  }

  test('when an unknown field is sent, then it is rejected and named', async () => {
    const error = await expectRejected({ ...valid, phone: '555-1234' }, ['phone']);
    assert.deepEqual(error.fields.phone, ['unknown field']);
  });

  test('when values have surrounding whitespace, then they are stored trimmed', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .send({ name: '  Ann Lee  ', email: ' ann@example.com ', subject: '\tHello ', message: '\n Hi there \n' })
      .expect(201);
    assert.equal(res.body.name, 'Ann Lee');
    assert.equal(res.body.email, 'ann@example.com');
    assert.equal(res.body.subject, 'Hello');
    assert.equal(res.body.message, 'Hi there');
    const { rows } = await t.ctx.db.pool.query(
      'SELECT name, email, subject, message FROM contact_submissions WHERE id = $1',
      [res.body.id],
    );
    assert.deepEqual(rows[0], { name: 'Ann Lee', email: 'ann@example.com', subject: 'Hello', message: 'Hi there' });
  });

  test('when a required field is missing or only whitespace, then each one is reported', async () => {
    await expectRejected({ subject: '   ', message: '' }, ['name', 'email', 'subject', 'message']);
  });

  test('when the email is not an address, then the email field is rejected', async () => {
    for (const email of ['not-an-email', 'ann@', '@example.com', 'ann lee@example.com', 'ann@@example.com']) {
      await expectRejected({ ...valid, email }, ['email']);
    }
  });

  test('when name, email or subject contain CR or LF, then they are rejected', async () => {
    await expectRejected({ ...valid, name: 'Ann\r\nBcc: victim@example.com' }, ['name']);
    await expectRejected({ ...valid, name: 'Ann\nLee' }, ['name']);
    await expectRejected({ ...valid, email: 'ann@example.com\r\nBcc: victim@example.com' }, ['email']);
    await expectRejected({ ...valid, subject: 'Hi\rthere' }, ['subject']);
    await expectRejected({ ...valid, subject: 'Hi\u2028there' }, ['subject']);
  });

  test('when the message has line breaks, then they are kept', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .send({ ...valid, message: 'line one\r\nline two\nline three' })
      .expect(201);
    assert.equal(res.body.message, 'line one\r\nline two\nline three');
  });

  test('when the message is 20000 characters, then it is accepted; 20001 is rejected', async () => {
    const ok = await request(t.app)
      .post(SUBMIT)
      .send({ ...valid, message: 'x'.repeat(20_000) })
      .expect(201);
    assert.equal(ok.body.message.length, 20_000);
    rowsBefore = await countRows();
    await expectRejected({ ...valid, message: 'x'.repeat(20_001) }, ['message']);
  });

  test('when name or subject exceed 255 characters, then they are rejected; 255 is accepted', async () => {
    await request(t.app)
      .post(SUBMIT)
      .send({ ...valid, name: 'n'.repeat(255), subject: 's'.repeat(255) })
      .expect(201);
    rowsBefore = await countRows();
    await expectRejected({ ...valid, name: 'n'.repeat(256) }, ['name']);
    await expectRejected({ ...valid, subject: 's'.repeat(256) }, ['subject']);
  });

  test('when the category is omitted, then it defaults to general; a listed one is kept', async () => {
    const omitted = await request(t.app).post(SUBMIT).send(valid).expect(201);
    assert.equal(omitted.body.category, 'general');
    for (const category of ['general', 'bug', 'feature', 'abuse', 'data', 'account', 'other']) {
      const res = await request(t.app)
        .post(SUBMIT)
        .send({ ...valid, category })
        .expect(201);
      assert.equal(res.body.category, category);
    }
  });

  test('when the category is not in the list, then it is rejected', async () => {
    await expectRejected({ ...valid, category: 'spam' }, ['category']);
    await expectRejected({ ...valid, category: 'BUG' }, ['category']);
    await expectRejected({ ...valid, category: '' }, ['category']);
  });

  test('when a value contains a NUL byte or another control character, then it is rejected', async () => {
    await expectRejected({ ...valid, name: 'Ann\u0000Lee' }, ['name']);
    await expectRejected({ ...valid, subject: 'Hi\u0007' }, ['subject']);
    await expectRejected({ ...valid, message: 'before\u0000after' }, ['message']);
    await expectRejected({ ...valid, email: 'ann\u0000@example.com' }, ['email']);
  });

  test('when values are not strings (numbers, booleans, null, arrays, objects), then they are rejected', async () => {
    await expectRejected({ ...valid, name: 42 }, ['name']);
    await expectRejected({ ...valid, email: true }, ['email']);
    await expectRejected({ ...valid, subject: null }, ['subject']);
    await expectRejected({ ...valid, message: ['a', 'b'] }, ['message']);
    await expectRejected({ ...valid, name: { first: 'Ann' } }, ['name']);
    await expectRejected({ ...valid, category: ['bug'] }, ['category']);
  });

  test('when the JSON body is an array instead of an object, then it is a validation error', async () => {
    const error = await expectRejected([valid], ['_']);
    assert.equal(error.code, 'validation_error');
  });

  test('when the JSON is malformed, then 400 malformed_body and no row', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Content-Type', 'application/json')
      .send('{"name": "Ann", ')
      .expect(400);
    assert.equal(res.body.error.code, 'malformed_body');
    assert.equal(await countRows(), rowsBefore);
  });

  test('when the body is a bare JSON value, then 400 malformed_body', async () => {
    const res = await request(t.app).post(SUBMIT).set('Content-Type', 'application/json').send('"hello"').expect(400);
    assert.equal(res.body.error.code, 'malformed_body');
  });

  test('when the content type is neither JSON nor a form, then 415 and no row (a multipart form missing fields is a 400)', async () => {
    const plain = await request(t.app)
      .post(SUBMIT)
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(valid))
      .expect(415);
    assert.equal(plain.body.error.code, 'unsupported_media_type');
    // multipart/form-data is a form (with files, issue 12): incomplete fields are a 400 naming them.
    const multipart = await request(t.app).post(SUBMIT).field('name', 'Ann').expect(400);
    assert.equal(multipart.body.error.code, 'validation_error');
    assert.ok(multipart.body.error.fields.email && multipart.body.error.fields.message);
    const none = await request(t.app).post(SUBMIT).expect(415);
    assert.equal(none.body.error.code, 'unsupported_media_type');
    assert.equal(await countRows(), rowsBefore);
  });

  test('when the body is over 64 KiB, then 413 and no row', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .send({ ...valid, message: 'x'.repeat(70_000) })
      .expect(413);
    assert.equal(res.body.error.code, 'payload_too_large');
    const form = await request(t.app)
      .post(SUBMIT)
      .type('form')
      .send({ ...valid, message: 'x'.repeat(70_000) })
      .expect(413);
    assert.equal(form.body.error.code, 'payload_too_large');
    assert.equal(await countRows(), rowsBefore);
  });

  test('when a JSON charset other than UTF-8 is declared, then 415', async () => {
    const res = await request(t.app)
      .post(SUBMIT)
      .set('Content-Type', 'application/json; charset=latin1')
      .send(JSON.stringify(valid))
      .expect(415);
    assert.equal(res.body.error.code, 'unsupported_media_type');
  });
});

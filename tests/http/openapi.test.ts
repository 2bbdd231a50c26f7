// The OpenAPI document and the HTML reference: complete (every endpoint), internally consistent
// ($refs resolve), and true (real responses validate against the documented schemas).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUserWithToken, DEFAULT_PASSWORD } from '../helpers/factories.js';
import { ticketIn } from '../contact/moderator-fixtures.js';

type Schema = Record<string, unknown>;

const EXPECTED_OPERATIONS = [
  'get /healthz',
  'get /readyz',
  'post /api/v1/contact/submit',
  'post /api/v1/auth/token',
  'delete /api/v1/auth/token',
  'get /api/v1/auth/me',
  'get /api/v1/contact/',
  'get /api/v1/contact/stats/overview',
  'get /api/v1/contact/export.csv',
  'get /api/v1/contact/{id}',
  'patch /api/v1/contact/{id}',
  'delete /api/v1/contact/{id}',
  'post /api/v1/contact/{id}/assign-to-me',
  'post /api/v1/contact/{id}/mark-resolved',
  'post /api/v1/contact/{id}/reopen',
  'post /api/v1/contact/{id}/archive',
  'post /api/v1/contact/{id}/restore',
  'get /api/v1/contact/{id}/history',
  'post /api/v1/contact/{id}/customer-links/revoke',
  'get /api/v1/contact/{id}/ratings',
  'get /api/v1/contact/{id}/messages',
  'post /api/v1/contact/{id}/messages',
  'get /api/v1/audit/events',
  'post /api/v1/inbound/mime',
  'get /api/v1/inbound/mails',
  'post /api/v1/inbound/mails/{id}/retry',
  'get /api/v1/sla/calendar',
  'put /api/v1/sla/calendar',
  'get /api/v1/sla/policies',
  'put /api/v1/sla/policies',
  'get /api/v1/sla/digest',
  'put /api/v1/sla/digest',
  'get /api/v1/views',
  'post /api/v1/views',
  'patch /api/v1/views/{id}',
  'delete /api/v1/views/{id}',
  'get /api/v1/tags',
  'post /api/v1/tags',
  'get /api/v1/tags/{id}',
  'put /api/v1/tags/{id}',
  'delete /api/v1/tags/{id}',
  'post /api/v1/tags/{id}/merge',
  'get /api/v1/webhooks',
  'post /api/v1/webhooks',
  'get /api/v1/webhooks/{id}',
  'patch /api/v1/webhooks/{id}',
  'delete /api/v1/webhooks/{id}',
  'post /api/v1/webhooks/{id}/rotate-secret',
  'get /api/v1/webhooks/{id}/deliveries',
  'post /api/v1/webhooks/{id}/deliveries/{deliveryId}/resend',
  'get /api/v1/privacy/export',
  'get /api/v1/privacy/erasures',
  'post /api/v1/privacy/erasures',
  'get /api/v1/privacy/erasures/{id}',
  'get /api/v1/contact/{id}/tags',
  'post /api/v1/contact/{id}/tags',
  'put /api/v1/contact/{id}/tags',
  'delete /api/v1/contact/{id}/tags/{tag}',
  'get /api/v1/canned-replies',
  'post /api/v1/canned-replies',
  'get /api/v1/canned-replies/{id}',
  'patch /api/v1/canned-replies/{id}',
  'delete /api/v1/canned-replies/{id}',
  'post /api/v1/canned-replies/{id}/render',
];

/** Just enough JSON Schema (2020-12 subset that z.toJSONSchema emits) to check real responses. */
function validate(doc: Schema, schema: Schema, value: unknown, path = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop()!;
    return validate(doc, ((doc.components as Schema).schemas as Schema)[name] as Schema, value, path);
  }
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants) {
    const ok = variants.some((v) => validate(doc, v, value, path).length === 0);
    return ok ? [] : [`${path}: matches no variant`];
  }
  if ('const' in schema && value !== schema.const) return [`${path}: not ${JSON.stringify(schema.const)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return [`${path}: ${JSON.stringify(value)} not in enum`];
  const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type as string | string[]);
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const fits = (t: string) => t === actual || (t === 'integer' && Number.isInteger(value));
  if (types.length && !types.some(fits)) return [`${path}: ${actual}, expected ${types.join(' | ')}`];
  const type = types.find(fits);
  if (schema.format === 'date-time' && Number.isNaN(Date.parse(value as string))) return [`${path}: not a date-time`];
  if (type === 'array')
    return (value as unknown[]).flatMap((v, i) => validate(doc, schema.items as Schema, v, `${path}[${i}]`));
  if (type === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const errors = ((schema.required ?? []) as string[]).filter((k) => !(k in obj)).map((k) => `${path}.${k}: missing`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errors.push(...validate(doc, props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${k}: not documented`);
      else if (typeof schema.additionalProperties === 'object')
        errors.push(...validate(doc, schema.additionalProperties as Schema, v, `${path}.${k}`));
    }
    return errors;
  }
  return [];
}

describe('OpenAPI document and API reference', () => {
  let t: TestApp;
  let doc: Schema;
  before(async () => {
    t = await createTestApp();
    doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
  });
  after(() => t.close());

  const responseSchema = (path: string, method: string, status: string): Schema => {
    const op = (doc.paths as Record<string, Record<string, Schema>>)[path]![method]!;
    const content = ((op.responses as Record<string, Schema>)[status]!.content ?? {}) as Record<string, Schema>;
    return content['application/json']!.schema as Schema;
  };
  const assertValid = (schema: Schema, body: unknown) => assert.deepEqual(validate(doc, schema, body), []);

  test('when the document is fetched anonymously, then it is OpenAPI 3.1 listing every endpoint', () => {
    assert.equal(doc.openapi, '3.1.0');
    const ops = Object.entries(doc.paths as Record<string, Schema>).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m} ${p}`),
    );
    assert.deepEqual([...ops].sort(), [...EXPECTED_OPERATIONS].sort());
  });

  test('when every $ref is followed, then it resolves, and every operation documents errors with the error shape', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 30);
    for (const r of refs) {
      const target = r.slice(8, -1).replace(/^#\//, '').split('/');
      assert.ok(
        target.reduce<unknown>((n, k) => (n as Schema | undefined)?.[k], doc),
        `${r} does not resolve`,
      );
    }
    for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
      for (const [m, op] of Object.entries(item)) {
        assert.ok(op.summary, `${m} ${p} has a summary`);
        if (p.startsWith('/api/'))
          assert.ok(
            Object.keys(op.responses as Schema).some((c) => c >= '400'),
            `${m} ${p}`,
          );
      }
    }
    const list = (doc.paths as Record<string, Record<string, Schema>>)['/api/v1/contact/']!.get!;
    const params = Object.fromEntries((list.parameters as Schema[]).map((x) => [x.name, x]));
    assert.deepEqual(Object.keys(params).sort(), [
      'assigned_to',
      'category',
      'channel',
      'created_after',
      'created_before',
      'include_archived',
      'language',
      'ordering',
      'page',
      'page_size',
      'priority',
      'q',
      'sla',
      'status',
      'tags',
      'tags_mode',
      'view',
      'waiting_on',
    ]);
    assert.equal(params.status!.explode, true);
    assert.match(JSON.stringify(params.status!.schema), /"archived"/);
    assert.equal((params.page_size!.schema as Schema).maximum, 100);
  });

  test('when real requests are made, then each response validates against its documented schema', async () => {
    const admin = await createUserWithToken(t.ctx, { role: 'admin' });
    const submit = await request(t.app)
      .post('/api/v1/contact/submit')
      .send({ name: 'Ann', email: 'ann@example.com', subject: 'Hi', message: 'Hello' })
      .expect(201);
    assertValid(responseSchema('/api/v1/contact/submit', 'post', '201'), submit.body);
    const token = await request(t.app)
      .post('/api/v1/auth/token')
      .send({ email: admin.user.email, password: DEFAULT_PASSWORD })
      .expect(200);
    assertValid(responseSchema('/api/v1/auth/token', 'post', '200'), token.body);
    const resolved = await ticketIn(t.ctx, admin.user, 'resolved');
    const get = await request(t.app).get(`/api/v1/contact/${resolved.id}`).set(admin.auth).expect(200);
    assertValid(responseSchema('/api/v1/contact/{id}', 'get', '200'), get.body);
    const list = await request(t.app).get('/api/v1/contact/?include_archived=true').set(admin.auth).expect(200);
    assert.ok(list.body.items.length >= 2);
    assertValid(responseSchema('/api/v1/contact/', 'get', '200'), list.body);
    const stats = await request(t.app).get('/api/v1/contact/stats/overview').set(admin.auth).expect(200);
    assertValid(responseSchema('/api/v1/contact/stats/overview', 'get', '200'), stats.body);
    const history = await request(t.app).get(`/api/v1/contact/${resolved.id}/history`).set(admin.auth).expect(200);
    assertValid(responseSchema('/api/v1/contact/{id}/history', 'get', '200'), history.body);
    const bad = await request(t.app).get('/api/v1/contact/?page=0').set(admin.auth).expect(400);
    assertValid({ $ref: '#/components/schemas/Error' }, bad.body);
    // The validator itself can fail: a wrong body does not pass.
    assert.notDeepEqual(
      validate(doc, responseSchema('/api/v1/contact/{id}', 'get', '200'), { ...get.body, id: 5 }),
      [],
    );
  });

  test('when each documented operation is called, then a route answers it (no "No route" 404)', async () => {
    const admin = await createUserWithToken(t.ctx, { role: 'admin' });
    const id = '5a1f0c3e-8d2b-4c6a-9e7f-1b2c3d4e5f60';
    const missing = await request(t.app).get(`/api/v1/contact/${id}/nonsense`).set(admin.auth);
    assert.match(missing.body.error.message, /^No route/, 'the check can fail');
    // Revoking the token goes last: after it every call would stop at the 401 before routing.
    const ops = [...EXPECTED_OPERATIONS].sort((a) => (a === 'delete /api/v1/auth/token' ? 1 : -1));
    for (const op of ops) {
      const [method, path] = op.split(' ') as ['get' | 'post' | 'patch' | 'delete', string];
      const res = await request(t.app)[method](path.replace('{id}', id)).set(admin.auth).send({});
      assert.notEqual(res.status, 401, `${op}: ${res.text}`);
      assert.doesNotMatch(String(res.body?.error?.message ?? ''), /^No route/, `${op} is not routed`);
    }
  });

  test('when the HTML reference is opened, then it is self-contained and lists every endpoint', async () => {
    const res = await request(t.app).get('/api/docs').expect(200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
    assert.doesNotMatch(res.text, /<script|<link|src=|https?:\/\/(?!json-schema)/i);
    for (const op of EXPECTED_OPERATIONS) {
      const [method, path] = op.split(' ');
      assert.ok(res.text.includes(`${method!.toUpperCase()}</span> <code>${path!.replace(/&/g, '&amp;')}</code>`), op);
    }
    for (const schema of ['Ticket', 'TicketList', 'TicketStats', 'TicketPatch', 'Error']) {
      assert.ok(res.text.includes(`id="schema-${schema}"`), schema);
    }
    assert.match(res.text, /<code>assigned_to_id<\/code>/);
  });
});

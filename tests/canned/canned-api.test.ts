// Canned replies through the REST API: rendering with `| default:`, unknown and empty
// placeholders (never raw `{{ }}`), syntax errors refused at save, the sandbox (no file
// includes, limits), personal templates invisible to other moderators, shared ones admin-managed,
// and the usage count.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken } from '../helpers/factories.js';

let t: TestApp;
let mia: Awaited<ReturnType<typeof createUserWithToken>>;
let max: Awaited<ReturnType<typeof createUserWithToken>>;
let admin: Awaited<ReturnType<typeof createUserWithToken>>;
let user: Awaited<ReturnType<typeof createUserWithToken>>;

before(async () => {
  t = await createTestApp();
  mia = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
  max = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Max Other' });
  admin = await createUserWithToken(t.ctx, { role: 'admin', name: 'Ada Admin' });
  user = await createUserWithToken(t.ctx, { role: 'user' });
});
after(() => t.close());

const api = () => request(t.app);
const create = (auth: Record<string, string>, body: Record<string, unknown>) =>
  api().post('/api/v1/canned-replies').set(auth).send(body);
const render = (auth: Record<string, string>, id: string, ticketId: string) =>
  api().post(`/api/v1/canned-replies/${id}/render?ticket=${ticketId}`).set(auth).send({});

describe('rendering', () => {
  test('when a template uses the documented variables and defaults, then the text is filled in for the ticket', async () => {
    const ticket = await createTicket(t.ctx, {
      name: 'Ann Marie Smith',
      email: 'ann@example.com',
      subject: 'Refund please',
      category: 'account',
    });
    const reply = (
      await create(mia.auth, {
        name: 'Greeting',
        body: 'Hi {{ customer.first_name | default: "there" }}, about {{ ticket.number }} "{{ ticket.subject }}" ({{ ticket.category }}, {{ ticket.priority }}) for {{ customer.email }}.\n{{ moderator.first_name }} / {{ moderator.name }}',
      }).expect(201)
    ).body;
    assert.deepEqual(reply.warnings, []);
    const res = await render(mia.auth, reply.id, ticket.id).expect(200);
    assert.equal(
      res.body.text,
      `Hi Ann, about ${ticket.ticketNumber} "Refund please" (account, normal) for ann@example.com.\nMia / Mia Moderator`,
    );
  });

  test('when a placeholder is unknown or empty, then it renders empty or as its default, never as raw {{ }}', async () => {
    const ticket = await createTicket(t.ctx, { name: 'Bo' });
    const saved = (
      await create(mia.auth, {
        name: 'Unknown bits',
        body: 'Dear {{ customer.title }}{{ customer.nickname | default: "friend" }}, order {{ order.id }}.',
      }).expect(201)
    ).body;
    // Saved, with a warning for each placeholder that will render empty.
    assert.match(saved.warnings.join(' '), /customer\.title/);
    assert.match(saved.warnings.join(' '), /order\.id/);
    const res = await render(mia.auth, saved.id, ticket.id).expect(200);
    assert.equal(res.body.text, 'Dear friend, order .');
    assert.doesNotMatch(res.body.text, /\{\{|\}\}/);

    // A customer whose name is a space: first_name is empty, so the default applies.
    const blank = await createTicket(t.ctx, { name: 'Zed' });
    await t.ctx.db.pool.query(`UPDATE contact_submissions SET name = ' ' WHERE id = $1`, [blank.id]);
    const hi = (
      await create(mia.auth, { name: 'Hi', body: 'Hi {{ customer.first_name | default: "there" }}!' }).expect(201)
    ).body;
    assert.equal((await render(mia.auth, hi.id, blank.id).expect(200)).body.text, 'Hi there!');
  });

  test('when a template has a syntax error or an unknown filter, then saving is refused with a field message', async () => {
    for (const body of [
      'Hi {{ customer.name',
      'Hi {{ customer.name | shout }}',
      '{% if %}x{% endif %}',
      '{% for x in y %}',
    ]) {
      const res = await create(mia.auth, { name: `Broken ${body}`, body });
      assert.equal(res.status, 400, body);
      assert.ok(res.body.error.fields.body?.[0], JSON.stringify(res.body));
    }
    const ok = (await create(mia.auth, { name: 'Fixable', body: 'Hi' }).expect(201)).body;
    const patch = await api().patch(`/api/v1/canned-replies/${ok.id}`).set(mia.auth).send({ body: '{{ oops' });
    assert.equal(patch.status, 400);
    assert.ok(patch.body.error.fields.body);
  });

  test('sandbox: include/render/layout/raw are refused at save, a stored raw tag is refused at render, loops are bounded', async () => {
    for (const body of [
      "{% include '/etc/passwd' %}",
      "{% render 'package.json' %}",
      "{% layout 'x' %}",
      '{% raw %}{{ a }}{% endraw %}',
    ]) {
      const res = await create(mia.auth, { name: `Sandbox ${body}`, body });
      assert.equal(res.status, 400, body);
      assert.match(res.body.error.fields.body[0], /not allowed/);
    }
    const ticket = await createTicket(t.ctx);
    // Written straight into the table (as if saved before a rule existed): refused, never sent raw.
    const { rows } = await t.ctx.db.pool.query<{ id: string }>(
      `INSERT INTO canned_replies (name, body, owner_id) VALUES ('legacy', '{% raw %}{{ x }}{% endraw %}', $1) RETURNING id`,
      [mia.user.id],
    );
    const legacy = await render(mia.auth, rows[0]!.id, ticket.id);
    assert.equal(legacy.status, 422);
    assert.equal(legacy.body.error.code, 'template_error');
    const loop = (
      await create(mia.auth, { name: 'Loop', body: '{% for i in (1..100000000) %}x{% endfor %}' }).expect(201)
    ).body;
    const res = await render(mia.auth, loop.id, ticket.id);
    assert.equal(res.status, 422);
  });
});

describe('visibility and management', () => {
  test('when a moderator has a personal template, then other moderators can neither list, read, render nor change it', async () => {
    const ticket = await createTicket(t.ctx);
    const mine = (await create(mia.auth, { name: 'Mia private', body: 'secret' }).expect(201)).body;
    assert.equal(mine.scope, 'personal');
    const listed = (await api().get('/api/v1/canned-replies?q=private').set(max.auth).expect(200)).body;
    assert.equal(listed.items.length, 0);
    assert.equal((await api().get(`/api/v1/canned-replies/${mine.id}`).set(max.auth)).status, 404);
    assert.equal((await render(max.auth, mine.id, ticket.id)).status, 404);
    assert.equal(
      (await api().patch(`/api/v1/canned-replies/${mine.id}`).set(max.auth).send({ name: 'x' })).status,
      404,
    );
    assert.equal((await api().delete(`/api/v1/canned-replies/${mine.id}`).set(admin.auth)).status, 404);
    const own = (await api().get('/api/v1/canned-replies?q=private').set(mia.auth).expect(200)).body;
    assert.deepEqual(
      own.items.map((x: { name: string }) => x.name),
      ['Mia private'],
    );
  });

  test('permissions: shared templates are created and changed by admins only, used by every moderator', async () => {
    const ticket = await createTicket(t.ctx);
    assert.equal((await create(mia.auth, { name: 'Team hello', body: 'Hello', scope: 'shared' })).status, 403);
    const shared = (
      await create(admin.auth, { name: 'Team hello', body: 'Hello {{ customer.name }}', scope: 'shared' }).expect(201)
    ).body;
    assert.equal(shared.scope, 'shared');
    assert.equal(
      (await api().patch(`/api/v1/canned-replies/${shared.id}`).set(mia.auth).send({ name: 'Mine now' })).status,
      403,
    );
    assert.equal((await api().delete(`/api/v1/canned-replies/${shared.id}`).set(max.auth)).status, 403);
    await render(max.auth, shared.id, ticket.id).expect(200);
    // Same name twice in one scope: 409 naming the field.
    const dup = await create(admin.auth, { name: 'team HELLO', body: 'x', scope: 'shared' });
    assert.equal(dup.status, 409);
    assert.deepEqual(dup.body.error.fields, { name: ['is taken'] });
    assert.equal((await api().get('/api/v1/canned-replies')).status, 401);
    assert.equal((await api().get('/api/v1/canned-replies').set(user.auth)).status, 403);
    await api().patch(`/api/v1/canned-replies/${shared.id}`).set(admin.auth).send({ name: 'Team hi' }).expect(200);
    await api().delete(`/api/v1/canned-replies/${shared.id}`).set(admin.auth).expect(204);
  });

  test('when a template is inserted (rendered), then its usage count goes up by one each time', async () => {
    const ticket = await createTicket(t.ctx);
    const reply = (await create(mia.auth, { name: 'Counted', body: 'Thanks!' }).expect(201)).body;
    assert.equal(reply.usage_count, 0);
    assert.equal((await render(mia.auth, reply.id, ticket.id).expect(200)).body.usage_count, 1);
    assert.equal((await render(mia.auth, reply.id, ticket.id).expect(200)).body.usage_count, 2);
    const read = (await api().get(`/api/v1/canned-replies/${reply.id}`).set(mia.auth).expect(200)).body;
    assert.equal(read.usage_count, 2);
    assert.ok(read.last_used_at);
    // A refused render counts nothing; a missing ticket is a 404.
    assert.equal((await render(mia.auth, reply.id, '00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await api().post(`/api/v1/canned-replies/${reply.id}/render`).set(mia.auth).send({})).status, 400);
    assert.equal((await api().get(`/api/v1/canned-replies/${reply.id}`).set(mia.auth)).body.usage_count, 2);
  });
});

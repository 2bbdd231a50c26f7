// Tags and canned replies in the panel, through the real panel login: the bulk "Tag…" action
// (one call, a notice with counts, audited as `admin`), the workspace's hidden tags / canned
// replies actions, the tags filter of the list, and who may open the Tags and Canned replies
// resources (moderator vs admin vs anonymous).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const TICKETS = '/admin/api/resources/tickets';

/** Refused by AdminJS's isAccessible (an error notice, no records) or by a service (403/404 JSON). */
function assertRefused(res: request.Response, secret?: string) {
  if (res.status === 403 || res.status === 404) return;
  assert.equal(res.status, 200, res.text.slice(0, 200));
  assert.equal(res.body.notice?.type, 'error', res.text.slice(0, 200));
  assert.ok(!res.body.records?.length, 'no records');
  if (secret) assert.doesNotMatch(res.text, new RegExp(secret));
}

describe('tags and canned replies in the panel', () => {
  let t: TestApp;
  let mod: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let modAgent: PanelAgent;
  let otherAgent: PanelAgent;
  let adminAgent: PanelAgent;

  before(async () => {
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator', name: 'Mo Derator' });
    other = await createUser(t.ctx, { role: 'moderator', name: 'Otto Other' });
    admin = await createUser(t.ctx, { role: 'admin', name: 'Ada Admin' });
    modAgent = await panelLogin(t.app, mod);
    otherAgent = await panelLogin(t.app, other);
    adminAgent = await panelLogin(t.app, admin);
  });
  after(() => t.close());

  test('when a moderator runs "Tag…" on selected tickets, then every one is tagged in one go and the notice counts them', async () => {
    const a = await createTicket(t.ctx);
    const b = await createTicket(t.ctx);
    const missing = '00000000-0000-4000-8000-000000000000';
    await modAgent.post(`${TICKETS}/records/${b.id}/tags`).send({ op: 'add', tags: 'vip' }).expect(200);
    const res = await modAgent
      .post(`${TICKETS}/bulk/bulkTag?recordIds=${a.id},${b.id},${missing}`)
      .send({ tags: 'VIP, panel-bulk' })
      .expect(200);
    assert.equal(res.body.notice.type, 'info');
    assert.match(res.body.notice.message, /^2 tickets changed\. 1 skipped: .*not found/);
    const { rows } = await t.ctx.db.pool.query<{
      ticket_id: string;
      tag_name: string;
      source: string;
      actor_id: string;
    }>(
      `SELECT ticket_id, tag_name, source, actor_id FROM ticket_tag_events WHERE ticket_id = ANY($1::uuid[]) ORDER BY event_id`,
      [[a.id, b.id]],
    );
    // "VIP" is the existing "vip"; b only gains panel-bulk.
    const events = rows.map(
      (r) => `${r.ticket_id === a.id ? 'a' : 'b'}:${r.tag_name}:${r.source}:${r.actor_id === mod.id}`,
    );
    assert.equal(events[0], 'b:vip:admin:true');
    // The bulk statement's rows, in ticket-id order (random UUIDs): compared as a set.
    assert.deepEqual(events.slice(1).sort(), [
      'a:panel-bulk:admin:true',
      'a:vip:admin:true',
      'b:panel-bulk:admin:true',
    ]);
    const again = await modAgent.post(`${TICKETS}/bulk/bulkTag?recordIds=${a.id}`).send({ tags: 'vip' }).expect(200);
    assert.equal(again.body.notice.type, 'error');
    assert.match(again.body.notice.message, /has those tags already/);
    const empty = await modAgent.post(`${TICKETS}/bulk/bulkTag?recordIds=${a.id}`).send({ tags: '' }).expect(200);
    assert.equal(empty.body.notice.type, 'error');

    // The list's filter: filters.tags / filters.tagsMode go through the one filter parser.
    const list = await modAgent
      .get(`${TICKETS}/actions/list?filters.tags=panel-bulk,vip&filters.tagsMode=all`)
      .expect(200);
    const ids = list.body.records.map((r: { id: string }) => r.id).sort();
    assert.deepEqual(ids, [a.id, b.id].sort());
    assert.equal(list.body.records[0].params.tags, 'panel-bulk, vip');
  });

  test('when the workspace adds, suggests and removes tags, then the chips follow', async () => {
    const ticket = await createTicket(t.ctx);
    const added = await modAgent
      .post(`${TICKETS}/records/${ticket.id}/tags`)
      .send({ op: 'add', tags: 'workspace-one' })
      .expect(200);
    assert.deepEqual(
      added.body.tags.map((x: { name: string }) => x.name),
      ['workspace-one'],
    );
    const suggested = await modAgent
      .post(`${TICKETS}/records/${ticket.id}/tags`)
      .send({ op: 'suggest', q: 'WORKSPACE' })
      .expect(200);
    assert.ok(suggested.body.suggestions.some((s: { name: string }) => s.name === 'workspace-one'));
    const removed = await modAgent
      .post(`${TICKETS}/records/${ticket.id}/tags`)
      .send({ op: 'remove', tag: 'workspace-one' })
      .expect(200);
    assert.deepEqual(removed.body.tags, []);
    const bad = await modAgent
      .post(`${TICKETS}/records/${ticket.id}/tags`)
      .send({ op: 'add', tags: 'x'.repeat(60) })
      .expect(200);
    assert.equal(bad.body.notice.type, 'error');
  });

  test('when the picker searches and inserts, then it sees shared and own replies only and the text is rendered', async () => {
    const ticket = await createTicket(t.ctx, { name: 'Pia Person' });
    await adminAgent
      .post('/admin/api/resources/canned-replies/actions/new')
      .send({ name: 'Team welcome', body: 'Hello {{ customer.first_name }}', scope: 'shared' })
      .expect(200);
    await otherAgent
      .post('/admin/api/resources/canned-replies/actions/new')
      .send({ name: 'Otto secret', body: 'mine', scope: 'personal' })
      .expect(200);
    const shared = await modAgent
      .post('/admin/api/resources/canned-replies/actions/new')
      .send({ name: 'Mo shared attempt', body: 'x', scope: 'shared' })
      .expect(200);
    assert.equal(shared.body.notice.type, 'error');
    const broken = await modAgent
      .post('/admin/api/resources/canned-replies/actions/new')
      .send({ name: 'Mo broken', body: 'Hi {{ customer.name' })
      .expect(200);
    assert.equal(broken.body.notice.type, 'error');
    assert.ok(broken.body.record.errors.body);

    const found = await modAgent
      .post(`${TICKETS}/records/${ticket.id}/cannedReplies`)
      .send({ op: 'list', q: '' })
      .expect(200);
    const names = found.body.items.map((x: { name: string }) => x.name);
    assert.ok(names.includes('Team welcome'));
    assert.ok(!names.includes('Otto secret'));
    const welcome = found.body.items.find((x: { name: string }) => x.name === 'Team welcome');
    const rendered = await modAgent
      .post(`${TICKETS}/records/${ticket.id}/cannedReplies`)
      .send({ op: 'render', id: welcome.id })
      .expect(200);
    assert.equal(rendered.body.text, 'Hello Pia');
    assert.equal(rendered.body.usage_count, 1);

    // The resource list: Otto's personal reply is not there for Mo; it is for Otto.
    const modList = await modAgent.get('/admin/api/resources/canned-replies/actions/list').expect(200);
    assert.ok(!modList.body.records.some((r: { params: { name: string } }) => r.params.name === 'Otto secret'));
    const ottoList = await otherAgent.get('/admin/api/resources/canned-replies/actions/list').expect(200);
    const secret = ottoList.body.records.find((r: { params: { name: string } }) => r.params.name === 'Otto secret');
    assert.ok(secret);
    assertRefused(await modAgent.get(`/admin/api/resources/canned-replies/records/${secret.id}/show`), 'mine');
    // A shared reply: Mo may use it, not edit it.
    const teamRecord = modList.body.records.find((r: { params: { name: string } }) => r.params.name === 'Team welcome');
    assertRefused(
      await modAgent.post(`/admin/api/resources/canned-replies/records/${teamRecord.id}/edit`).send({ name: 'x' }),
    );
    const still = await t.ctx.db.pool.query('SELECT name FROM canned_replies WHERE id = $1', [teamRecord.id]);
    assert.equal(still.rows[0].name, 'Team welcome');
  });

  test('permissions: the Tags resource is admins only; anonymous callers are sent to the login', async () => {
    assertRefused(await modAgent.get('/admin/api/resources/tags/actions/list'));
    const tags = await adminAgent.get('/admin/api/resources/tags/actions/list').expect(200);
    const vip = tags.body.records.find((r: { params: { name: string } }) => r.params.name === 'vip');
    assert.ok(vip);
    assertRefused(await modAgent.post(`/admin/api/resources/tags/records/${vip.id}/edit`).send({ name: 'VIP!' }));
    assertRefused(await modAgent.post(`/admin/api/resources/tags/records/${vip.id}/delete`).send({}));
    assert.equal((await t.ctx.db.pool.query('SELECT name FROM tags WHERE id = $1', [vip.id])).rows[0].name, 'vip');
    const renamed = await adminAgent
      .post(`/admin/api/resources/tags/records/${vip.id}/edit`)
      .send({ name: 'VIP' })
      .expect(200);
    assert.equal(renamed.body.notice.type, 'success');
    const anonymous = await request(t.app).get('/admin/api/resources/tags/actions/list');
    assert.ok([302, 401, 403].includes(anonymous.status), String(anonymous.status));
    assert.equal(
      (await request(t.app).post(`${TICKETS}/bulk/bulkTag?recordIds=${vip.id}`).send({ tags: 'x' })).status >= 300,
      true,
    );
  });
});

// Tags through the REST API: created by using them, case-insensitive names, rename / merge /
// delete by admins, the any/all filter on the list and the CSV export, tags in the ticket JSON,
// open_by_tag in stats/overview, the audit rows of every add / remove, and who may do what.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { compactTagCounts } from '../../src/tags/repository.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken } from '../helpers/factories.js';

let t: TestApp;
let mod: Awaited<ReturnType<typeof createUserWithToken>>;
let admin: Awaited<ReturnType<typeof createUserWithToken>>;
let user: Awaited<ReturnType<typeof createUserWithToken>>;

before(async () => {
  t = await createTestApp();
  mod = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
  admin = await createUserWithToken(t.ctx, { role: 'admin', name: 'Ada Admin' });
  user = await createUserWithToken(t.ctx, { role: 'user' });
});
after(() => t.close());

const api = () => request(t.app);
const tagsOf = async (id: string) =>
  (await api().get(`/api/v1/contact/${id}/tags`).set(mod.auth)).body.tags.map((x: { name: string }) => x.name);

async function tagEvents(ticketId: string) {
  const { rows } = await t.ctx.db.pool.query<{
    operation: string;
    tag_name: string;
    actor_id: string | null;
    source: string;
  }>('SELECT operation, tag_name, actor_id, source FROM ticket_tag_events WHERE ticket_id = $1 ORDER BY event_id', [
    ticketId,
  ]);
  return rows;
}

describe('tagging a ticket', () => {
  test('when a moderator adds new names, then they become tags, show in the ticket JSON and are audited with the actor', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await api()
      .post(`/api/v1/contact/${ticket.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['Billing', '  needs   review '] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.tags.map((x: { name: string }) => x.name),
      ['Billing', 'needs review'],
    );
    // The same name in another case is the same tag.
    await api()
      .post(`/api/v1/contact/${ticket.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['BILLING'] })
      .expect(200);
    const json = (await api().get(`/api/v1/contact/${ticket.id}`).set(mod.auth).expect(200)).body;
    assert.deepEqual(json.tags, ['Billing', 'needs review']);

    await api().delete(`/api/v1/contact/${ticket.id}/tags/billing`).set(mod.auth).expect(200);
    assert.deepEqual(await tagsOf(ticket.id), ['needs review']);
    const events = await tagEvents(ticket.id);
    assert.deepEqual(
      events.map((e) => [e.operation, e.tag_name, e.actor_id, e.source]),
      [
        ['insert', 'Billing', mod.user.id, 'api'],
        ['insert', 'needs review', mod.user.id, 'api'],
        ['delete', 'Billing', mod.user.id, 'api'],
      ],
    );
  });

  test('when PUT replaces the tags, then only the difference is written and audited', async () => {
    const ticket = await createTicket(t.ctx);
    await api()
      .put(`/api/v1/contact/${ticket.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['a1', 'b1'] })
      .expect(200);
    await api()
      .put(`/api/v1/contact/${ticket.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['b1', 'c1'] })
      .expect(200);
    assert.deepEqual(await tagsOf(ticket.id), ['b1', 'c1']);
    assert.deepEqual(
      (await tagEvents(ticket.id)).map((e) => `${e.operation}:${e.tag_name}`),
      ['insert:a1', 'insert:b1', 'delete:a1', 'insert:c1'],
    );
  });

  test('when the history is read, then tag additions and removals are in it with their actor', async () => {
    const ticket = await createTicket(t.ctx);
    await api()
      .post(`/api/v1/contact/${ticket.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['history-tag'] })
      .expect(200);
    await api().delete(`/api/v1/contact/${ticket.id}/tags/history-tag`).set(admin.auth).expect(200);
    const history = (await api().get(`/api/v1/contact/${ticket.id}/history`).set(mod.auth).expect(200)).body;
    const tagEntries = history.entries.filter((e: { type: string }) => e.type === 'tag');
    assert.deepEqual(
      tagEntries.map((e: { change: string; tag: string; actor: { name: string } }) => [e.change, e.tag, e.actor.name]),
      [
        ['removed', 'history-tag', 'Ada Admin'],
        ['added', 'history-tag', 'Mia Moderator'],
      ],
    );
  });

  test('when a tag name is bad, then the answer is a 400 naming the field', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await api()
      .post(`/api/v1/contact/${ticket.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['a,b', ''] });
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.body.error.fields).sort(), ['tags.0', 'tags.1']);
    const long = await api()
      .post(`/api/v1/contact/${ticket.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['x'.repeat(51)] });
    assert.equal(long.status, 400);
    const missing = await api()
      .post('/api/v1/contact/00000000-0000-4000-8000-000000000000/tags')
      .set(mod.auth)
      .send({ tags: ['x'] });
    assert.equal(missing.status, 404);
  });
});

describe('filtering by tags', () => {
  test('when the list and the CSV are filtered with tags_mode any and all, then they hold the same matching tickets', async () => {
    const both = await createTicket(t.ctx, { subject: 'filter both' });
    const onlyRed = await createTicket(t.ctx, { subject: 'filter red' });
    const onlyBlue = await createTicket(t.ctx, { subject: 'filter blue' });
    await createTicket(t.ctx, { subject: 'filter none' });
    await api()
      .post(`/api/v1/contact/${both.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['Red', 'Blue'] })
      .expect(200);
    await api()
      .post(`/api/v1/contact/${onlyRed.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['red'] })
      .expect(200);
    await api()
      .post(`/api/v1/contact/${onlyBlue.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['blue'] })
      .expect(200);

    const list = async (query: string) =>
      ((await api().get(`/api/v1/contact?${query}`).set(mod.auth).expect(200)).body.items as Array<{ subject: string }>)
        .map((x) => x.subject)
        .sort();
    assert.deepEqual(await list('tags=red,BLUE'), ['filter blue', 'filter both', 'filter red']);
    assert.deepEqual(await list('tags=red,blue&tags_mode=any'), ['filter blue', 'filter both', 'filter red']);
    assert.deepEqual(await list('tags=red&tags=blue&tags_mode=all'), ['filter both']);
    assert.deepEqual(await list('tags=red,nosuchtag&tags_mode=all'), []);

    const csv = await api()
      .get('/api/v1/contact/export.csv?tags=red,blue&tags_mode=all&bom=false')
      .set(mod.auth)
      .expect(200);
    const lines = csv.text.trim().split('\r\n');
    const header = lines[0]!.split(',');
    assert.equal(header.at(-1), 'tags');
    assert.equal(lines.length, 2, csv.text);
    assert.match(lines[1]!, /filter both/);
    assert.match(lines[1]!, /"Blue, Red"|Blue, Red/);

    const bad = await api().get('/api/v1/contact?tags=red&tags_mode=some').set(mod.auth);
    assert.equal(bad.status, 400);
    assert.ok(bad.body.error.fields.tags_mode);
  });

  test('when stats/overview is read, then open tickets are counted per tag', async () => {
    const a = await createTicket(t.ctx);
    const b = await createTicket(t.ctx);
    await api()
      .post(`/api/v1/contact/${a.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['stat-x'] })
      .expect(200);
    await api()
      .post(`/api/v1/contact/${b.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['stat-x', 'stat-y'] })
      .expect(200);
    await api().post(`/api/v1/contact/${b.id}/mark-resolved`).set(mod.auth).send({}).expect(200);
    const stats = (await api().get('/api/v1/contact/stats/overview').set(mod.auth).expect(200)).body;
    assert.equal(stats.open_by_tag['stat-x'], 1);
    assert.equal(stats.open_by_tag['stat-y'], undefined);
    // Reopened, b counts again; its tags' open flag flipping is no tag change in the audit.
    await api().post(`/api/v1/contact/${b.id}/reopen`).set(mod.auth).send({}).expect(200);
    const again = (await api().get('/api/v1/contact/stats/overview').set(mod.auth).expect(200)).body;
    assert.equal(again.open_by_tag['stat-x'], 2);
    assert.equal(again.open_by_tag['stat-y'], 1);
    assert.equal((await tagEvents(b.id)).length, 2);

    // Folding the deltas into the totals changes nothing that is read; deleting a tag and a
    // ticket counts them down.
    const before = (await api().get('/api/v1/contact/stats/overview').set(mod.auth)).body.open_by_tag;
    assert.ok((await compactTagCounts(t.ctx.db)) > 0);
    const { rows: left } = await t.ctx.db.pool.query('SELECT count(*)::int AS n FROM tag_open_count_deltas');
    assert.equal(left[0].n, 0);
    assert.deepEqual((await api().get('/api/v1/contact/stats/overview').set(mod.auth)).body.open_by_tag, before);
    const y = (await api().get('/api/v1/tags?q=stat-y').set(mod.auth)).body.tags[0];
    await api().delete(`/api/v1/tags/${y.id}`).set(admin.auth).expect(204);
    await api().delete(`/api/v1/contact/${a.id}`).set(admin.auth).expect(204);
    const after = (await api().get('/api/v1/contact/stats/overview').set(mod.auth)).body.open_by_tag;
    assert.equal(after['stat-x'], 1);
    assert.equal(after['stat-y'], undefined);
  });
});

describe('managing tags', () => {
  test('when an admin renames, merges and deletes tags, then tickets follow and every move is audited', async () => {
    const t1 = await createTicket(t.ctx);
    const t2 = await createTicket(t.ctx);
    await api()
      .post(`/api/v1/contact/${t1.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['refund', 'urgent-ish'] })
      .expect(200);
    await api()
      .post(`/api/v1/contact/${t2.id}/tags`)
      .set(mod.auth)
      .send({ tags: ['refunds'] })
      .expect(200);
    const all = (await api().get('/api/v1/tags?q=refund').set(mod.auth).expect(200)).body.tags as Array<{
      id: string;
      name: string;
      ticket_count: number;
    }>;
    const refund = all.find((x) => x.name === 'refund')!;
    const refunds = all.find((x) => x.name === 'refunds')!;
    assert.equal(refund.ticket_count, 1);

    // Rename to a name another tag has: refused, with the way out.
    const clash = await api().put(`/api/v1/tags/${refund.id}`).set(admin.auth).send({ name: 'REFUNDS' });
    assert.equal(clash.status, 409);
    assert.deepEqual(clash.body.error.fields, { name: ['is taken by another tag'] });
    await api().put(`/api/v1/tags/${refund.id}`).set(admin.auth).send({ name: 'Refund' }).expect(200);
    assert.deepEqual(await tagsOf(t1.id), ['Refund', 'urgent-ish']);

    const merged = await api()
      .post(`/api/v1/tags/${refunds.id}/merge`)
      .set(admin.auth)
      .send({ into: refund.id })
      .expect(200);
    assert.equal(merged.body.moved, 1);
    assert.deepEqual(await tagsOf(t2.id), ['Refund']);
    assert.equal((await api().get(`/api/v1/tags/${refunds.id}`).set(mod.auth)).status, 404);
    assert.deepEqual(
      (await tagEvents(t2.id)).map(
        (e) => `${e.operation}:${e.tag_name}:${e.actor_id === admin.user.id ? 'admin' : 'mod'}`,
      ),
      ['insert:refunds:mod', 'insert:Refund:admin', 'delete:refunds:admin'],
    );

    const urgent = (await api().get('/api/v1/tags?q=urgent-ish').set(mod.auth)).body.tags[0];
    await api().delete(`/api/v1/tags/${urgent.id}`).set(admin.auth).expect(204);
    assert.deepEqual(await tagsOf(t1.id), ['Refund']);
    // The removal by deletion keeps the tag's name in the audit row.
    assert.ok((await tagEvents(t1.id)).some((e) => e.operation === 'delete' && e.tag_name === 'urgent-ish'));
  });

  test('permissions: anonymous 401, plain users 403, moderators tag but cannot rename/merge/delete, admins can', async () => {
    const ticket = await createTicket(t.ctx);
    const tag = (await api().post('/api/v1/tags').set(mod.auth).send({ name: 'perm-tag' }).expect(201)).body;
    const other = (await api().post('/api/v1/tags').set(mod.auth).send({ name: 'perm-other' }).expect(201)).body;
    const calls: Array<[string, () => request.Test]> = [
      ['list', () => api().get('/api/v1/tags')],
      ['create', () => api().post('/api/v1/tags').send({ name: 'perm-new' })],
      ['ticket tags', () => api().get(`/api/v1/contact/${ticket.id}/tags`)],
      [
        'add',
        () =>
          api()
            .post(`/api/v1/contact/${ticket.id}/tags`)
            .send({ tags: ['perm-tag'] }),
      ],
      ['remove', () => api().delete(`/api/v1/contact/${ticket.id}/tags/perm-tag`)],
      ['rename', () => api().put(`/api/v1/tags/${tag.id}`).send({ name: 'perm-renamed' })],
      ['merge', () => api().post(`/api/v1/tags/${other.id}/merge`).send({ into: tag.id })],
      ['delete', () => api().delete(`/api/v1/tags/${other.id}`)],
    ];
    const adminOnly = new Set(['rename', 'merge', 'delete']);
    for (const [name, call] of calls) {
      assert.equal((await call()).status, 401, `anonymous ${name}`);
      assert.equal((await call().set(user.auth)).status, 403, `user ${name}`);
      const asMod = (await call().set(mod.auth)).status;
      if (adminOnly.has(name)) assert.equal(asMod, 403, `moderator ${name}`);
      else assert.ok(asMod < 300, `moderator ${name}: ${asMod}`);
    }
    await api().put(`/api/v1/tags/${tag.id}`).set(admin.auth).send({ name: 'perm-renamed' }).expect(200);
    await api().post(`/api/v1/tags/${other.id}/merge`).set(admin.auth).send({ into: tag.id }).expect(200);
  });
});

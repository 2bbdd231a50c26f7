// The list's hidden panel actions through the panel's real API and session (no browser):
// page size remembered per user and used by the list, the time zone preference (bad input named),
// the "n new" count, saving a view from the list's query, and actions returning to the list
// with its filters and page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const API = '/admin/api/resources/tickets';

describe('ticket list panel actions', () => {
  let t: TestApp;
  let mia: TestUser;
  let agent: Awaited<ReturnType<typeof panelLogin>>;
  const ids: string[] = [];

  before(async () => {
    t = await createPanelTestApp();
    mia = await createUser(t.ctx, { role: 'moderator', name: 'Mia' });
    for (let i = 0; i < 3; i++) ids.push((await createTicket(t.ctx, { subject: `Printer jam ${i}` })).id);
    agent = await panelLogin(t.app, mia);
  });

  after(() => t?.close());

  test('when a moderator picks 50 rows, then the list uses 50 from then on unless the URL names a size', async () => {
    assert.equal((await agent.get(`${API}/actions/list`).expect(200)).body.meta.perPage, 20);
    const saved = await agent.post(`${API}/actions/listPreferences`).send({ page_size: '50' }).expect(200);
    assert.equal(saved.body.preferences.page_size, 50);
    assert.equal((await agent.get(`${API}/actions/list`).expect(200)).body.meta.perPage, 50);
    assert.equal((await agent.get(`${API}/actions/list?perPage=20`).expect(200)).body.meta.perPage, 20);
    const bad = await agent.post(`${API}/actions/listPreferences`).send({ page_size: '30' }).expect(200);
    assert.equal(bad.body.notice.type, 'error');
    assert.ok(bad.body.fields.page_size);
  });

  test('when a moderator sets a time zone, then it is stored; an unknown zone is refused by name', async () => {
    const ok = await agent.post(`${API}/actions/listPreferences`).send({ time_zone: 'Europe/Berlin' }).expect(200);
    assert.equal(ok.body.preferences.time_zone, 'Europe/Berlin');
    const meta = await agent.get(`${API}/actions/listMeta`).expect(200);
    assert.equal(meta.body.preferences.time_zone, 'Europe/Berlin');
    const bad = await agent.post(`${API}/actions/listPreferences`).send({ time_zone: 'Mars/Olympus' }).expect(200);
    assert.ok(bad.body.fields.time_zone);
    const cleared = await agent.post(`${API}/actions/listPreferences`).send({ time_zone: '' }).expect(200);
    assert.equal(cleared.body.preferences.time_zone, null);
  });

  test('when tickets arrive after the list loaded, then the pulse counts those matching its filters', async () => {
    const { now } = (await agent.get(`${API}/actions/listMeta`).expect(200)).body as { now: string };
    await new Promise((r) => setTimeout(r, 5));
    await createTicket(t.ctx, { subject: 'Printer on fire' });
    await createTicket(t.ctx, { subject: 'Password reset' });
    const all = await agent.get(`${API}/actions/listPulse`).query({ since: now }).expect(200);
    assert.equal(all.body.new_count, 2);
    const printers = await agent
      .get(`${API}/actions/listPulse`)
      .query({ since: now, 'filters.q': 'printer' })
      .expect(200);
    assert.equal(printers.body.new_count, 1);
    const bad = await agent.get(`${API}/actions/listPulse`).query({ since: 'yesterday' }).expect(200);
    assert.ok(bad.body.fields.created_after);
  });

  test('when a view is saved from the list, then it holds the list’s search and sort, with its count', async () => {
    const res = await agent
      .post(`${API}/actions/saveView`)
      .send({ name: 'Printers', search: '?filters.q=printer&sortBy=subject&direction=asc&page=2', shared: 'true' })
      .expect(200);
    assert.equal(res.body.notice.type, 'success', JSON.stringify(res.body));
    const meta = await agent.get(`${API}/actions/listMeta`).expect(200);
    const view = (meta.body.views as Array<{ id: string; name: string; count: number; shared: boolean }>).find(
      (v) => v.name === 'Printers',
    )!;
    assert.equal(view.count, 4);
    assert.equal(view.shared, true);
    const list = await agent.get(`${API}/actions/list?filters.view=${view.id}`).expect(200);
    assert.deepEqual(
      list.body.records.map((r: { params: { subject: string } }) => r.params.subject),
      ['Printer jam 0', 'Printer jam 1', 'Printer jam 2', 'Printer on fire'],
    );
    const dup = await agent.post(`${API}/actions/saveView`).send({ name: 'printers', search: '' }).expect(200);
    assert.ok(dup.body.fields.name);
  });

  test('when a bulk or record action is sent from a filtered list page, then it returns to that page', async () => {
    const search = '?filters.q=printer&page=2&perPage=20';
    const bulk = await agent
      .post(`${API}/bulk/bulkAssignToMe?recordIds=${ids[0]}`)
      .send({ listSearch: search })
      .expect(200);
    assert.equal(bulk.body.redirectUrl, `/admin/resources/tickets${search}`);
    const record = await agent
      .post(`${API}/records/${ids[1]}/assignToMe?filters.q=printer&page=2`)
      .send({})
      .expect(200);
    assert.equal(record.body.redirectUrl, `/admin/resources/tickets/records/${ids[1]}/show?filters.q=printer&page=2`);
  });
});

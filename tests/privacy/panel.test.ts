// The panel's Privacy page through its real routes: an admin asks for an erasure (the resource
// action), sees its progress in the list and on its page, and downloads a person's export; a
// moderator can do neither.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';
import { eraseToEnd } from './privacy-setup.js';

const API = '/admin/api/resources/privacy-requests';
const EMAIL = 'pia.panel@example.org';

describe('panel: Administration → Privacy', () => {
  let t: TestApp;
  let admin: TestUser;
  let adminAgent: PanelAgent;
  let modAgent: PanelAgent;
  before(async () => {
    t = await createPanelTestApp();
    admin = await createUser(t.ctx, { role: 'admin' });
    const mod = await createUser(t.ctx, { role: 'moderator' });
    adminAgent = await panelLogin(t.app, admin);
    modAgent = await panelLogin(t.app, mod);
  });
  after(() => t.close());

  test('when an admin erases a person from the panel, then the erasure is queued, its progress is listed, and once done it no longer shows the address', async () => {
    await createTicket(t.ctx, { name: 'Pia Panel', email: EMAIL });
    const bad = await adminAgent.post(`${API}/actions/personRequest`).send({ email: 'nope' }).expect(200);
    assert.equal(bad.body.notice.type, 'error');
    assert.match(bad.body.notice.message, /email/);

    const res = await adminAgent.post(`${API}/actions/personRequest`).send({ email: EMAIL }).expect(200);
    assert.equal(res.body.notice.type, 'success');
    const id = /records\/([0-9a-f-]{36})\/show/.exec(res.body.redirectUrl)?.[1];
    assert.ok(id, `redirects to the erasure's page: ${res.body.redirectUrl}`);
    const list = await adminAgent.get(`${API}/actions/list`).expect(200);
    const row = list.body.records.find((r: { id: string }) => r.id === id);
    assert.equal(row.params.email, EMAIL);
    assert.equal(row.params.status, 'pending');

    await eraseToEnd(t.ctx, id);
    const shown = await adminAgent.get(`${API}/records/${id}/show`).expect(200);
    assert.equal(shown.body.record.params.status, 'done');
    assert.equal(shown.body.record.params.email, '(erased)');
    assert.equal(shown.body.record.params.progress, '1 / 1 tickets');
    assert.equal(shown.body.record.params.requestedById, admin.id);
  });

  test('when an admin downloads an export in the panel, then it is a ZIP; a moderator gets 403 for the export and the erasure', async () => {
    await createTicket(t.ctx, { name: 'Quinn Zip', email: 'quinn.zip@example.org' });
    const zip = await adminAgent.get('/admin/privacy/export').query({ email: 'quinn.zip@example.org' }).expect(200);
    assert.equal(zip.headers['content-type'], 'application/zip');
    await modAgent.get('/admin/privacy/export').query({ email: 'quinn.zip@example.org' }).expect(403);
    // AdminJS answers a refused action with 200 and a ForbiddenError in the body.
    const denied = await modAgent
      .post(`${API}/actions/personRequest`)
      .send({ email: 'quinn.zip@example.org' })
      .expect(200);
    assert.equal(denied.body.record?.baseError?.type, 'ForbiddenError');
    const list = await modAgent.get(`${API}/actions/list`).expect(200);
    assert.equal(list.body.record?.baseError?.type, 'ForbiddenError');
    const open = await t.ctx.db.pool.query(`SELECT 1 FROM erasure_requests WHERE email = 'quinn.zip@example.org'`);
    assert.equal(open.rowCount, 0);
  });
});

// The panel validates with the REST schemas (issue 10, defect 6): control characters in notes and
// over-long bulk resolution notes are refused with a field message, never a 500 or a partial write.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, DEFAULT_PASSWORD } from '../helpers/factories.js';

const PANEL = '/admin/api/resources/tickets';

describe('panel input validation', () => {
  let t: TestApp;
  let agent: PanelAgent;

  before(async () => {
    t = await createPanelTestApp();
    const mod = await createUser(t.ctx, { role: 'moderator' });
    agent = await panelLogin(t.app, { email: mod.email, password: DEFAULT_PASSWORD });
  });
  after(() => t.close());

  const row = async (id: string) =>
    (await t.ctx.db.pool.query('SELECT admin_notes, status, resolution_notes FROM contact_submissions WHERE id = $1', [id]))
      .rows[0];

  test('when notes with a NUL or another control character are saved, then the form shows the field error and nothing is written', async () => {
    const ticket = await createTicket(t.ctx);
    const url = `${PANEL}/records/${ticket.id}/edit`;
    for (const bad of ['before\u0000after', 'bell\u0007']) {
      const loaded = (await agent.get(url).expect(200)).body.record.params;
      const res = await agent.post(url).send({ ...loaded, adminNotes: bad, category: 'bug' }).expect(200);
      assert.equal(res.body.notice.type, 'error');
      assert.match(res.body.record.errors.adminNotes.message, /control characters/);
    }
    const stored = await row(ticket.id);
    assert.equal(stored.admin_notes, '');
    const category = (await t.ctx.db.pool.query('SELECT category FROM contact_submissions WHERE id = $1', [ticket.id]))
      .rows[0].category;
    assert.equal(category, 'general', 'no partial write of the other fields');
  });

  test('when bulk resolve notes exceed the REST limit, then nothing is resolved and the notice says why', async () => {
    const a = await createTicket(t.ctx);
    const res = await agent
      .post(`${PANEL}/bulk/bulkResolve?recordIds=${a.id}`)
      .send({ resolutionNotes: 'x'.repeat(20_001) })
      .expect(200);
    assert.equal(res.body.notice.type, 'error');
    assert.equal((await row(a.id)).status, 'pending');
    const nul = await agent
      .post(`${PANEL}/bulk/bulkResolve?recordIds=${a.id}`)
      .send({ resolutionNotes: 'fixed\u0000' })
      .expect(200);
    assert.equal(nul.body.notice.type, 'error');
    assert.equal((await row(a.id)).status, 'pending');
  });
});

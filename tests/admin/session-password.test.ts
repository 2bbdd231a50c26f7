import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setUserPassword } from '../../src/auth/users.service.js';
import { TestClock, type TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin } from '../helpers/admin-login.js';
import { createUser } from '../helpers/factories.js';

const LIST = '/admin/api/resources/tickets/actions/list';

describe('panel session after a password change', () => {
  let t: TestApp;
  const clock = new TestClock('2026-03-02T10:00:00Z');
  before(async () => {
    t = await createPanelTestApp({ clock });
  });
  after(() => t.close());

  test('when a signed-in moderator’s password is reset, then their next panel request ends the session', async () => {
    const admin = await createUser(t.ctx, { role: 'admin' });
    const mod = await createUser(t.ctx, { role: 'moderator' });
    const agent = await panelLogin(t.app, mod);
    await agent.get(LIST).expect(200);
    clock.advance(1000);
    await setUserPassword(t.ctx, admin, { userId: mod.id, password: 'a brand new password' }, { source: 'api' });
    const res = await agent.get(LIST).expect(302);
    assert.equal(res.headers.location, '/admin/login');
    // The session is gone for good, not just refused once.
    await agent.get(LIST).expect(302);
  });

  test('when the moderator signs in again with the new password, then the new session works', async () => {
    const admin = await createUser(t.ctx, { role: 'admin' });
    const mod = await createUser(t.ctx, { role: 'moderator' });
    clock.advance(1000);
    await setUserPassword(t.ctx, admin, { userId: mod.id, password: 'a brand new password' }, { source: 'api' });
    clock.advance(1000);
    const agent = await panelLogin(t.app, { email: mod.email, password: 'a brand new password' });
    await agent.get(LIST).expect(200);
    clock.advance(1000);
    await agent.get(LIST).expect(200);
  });
});

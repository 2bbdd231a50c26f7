// Ratings on the ticket in the panel: the read-only "Satisfaction" record action, logged in
// through the real panel login, shows the customer's answer and comment (and says when there is none).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runTicketAction } from '../../src/contact/contact.service.js';
import { rateTicket } from '../../src/portal/ratings.js';
import { createPanelTestApp, panelLogin } from '../helpers/admin-login.js';
import type { TestApp } from '../helpers/app.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const API = '/admin/api/resources/tickets/records';

describe('ratings in the panel', () => {
  let t: TestApp;
  let mod: TestUser;

  before(async () => {
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator' });
  });
  after(() => t.close());

  test('when a resolved ticket was rated bad with a comment, then Satisfaction shows the answer and the comment', async () => {
    const ticket = await createTicket(t.ctx);
    const agent = await panelLogin(t.app, mod);
    const none = await agent.get(`${API}/${ticket.id}/satisfaction`).expect(200);
    assert.match(none.body.notice.message, /No rating yet/);

    await runTicketAction(t.ctx, mod, ticket.id, 'resolve', {}, { source: 'api' });
    await rateTicket(t.ctx, ticket.id, { score: 'bad', comment: 'Still broken on Safari' }, {});
    const res = await agent.get(`${API}/${ticket.id}/satisfaction`).expect(200);
    assert.match(res.body.notice.message, /Not solved/);
    assert.match(res.body.notice.message, /Still broken on Safari/);
    assert.equal(res.body.notice.type, 'error');
  });

  test('when a plain user asks, then the action is refused', async () => {
    const user = await createUser(t.ctx, { role: 'user' });
    const ticket = await createTicket(t.ctx);
    const agent = (await import('supertest')).default.agent(t.app);
    const login = await agent.post('/admin/login').type('form').send({ email: user.email, password: user.password });
    assert.notEqual(login.headers.location, '/admin', 'a plain user gets no panel session');
    const res = await agent.get(`${API}/${ticket.id}/satisfaction`);
    assert.ok(res.status === 302 || res.status === 401 || res.status === 403, `got ${res.status}`);
  });
});

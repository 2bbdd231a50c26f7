// Lost updates through the panel's edit forms. AdminJS's edit form posts back every value it
// loaded, so a form opened before another staff member's change must be refused (409 stale_edit,
// shown as an error notice) rather than write its old values over that change.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deactivateUser } from '../../src/auth/users.service.js';
import { runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const TICKETS = '/admin/api/resources/tickets';
const USERS = '/admin/api/resources/users';
const STALE = /changed by someone else since you opened it/;

type Params = Record<string, unknown>;

describe('panel edit forms opened before someone else changed the record', () => {
  let t: TestApp;
  let modA: TestUser;
  let modB: TestUser;
  let admin: TestUser;
  let otherAdmin: TestUser;
  let modAgent: PanelAgent;
  let adminAgent: PanelAgent;
  const panel = { source: 'admin' as const };

  /** What the edit form loaded: the params AdminJS's form would post back. */
  const openEdit = async (agent: PanelAgent, url: string): Promise<Params> => {
    const res = await agent.get(`${url}/edit`).expect(200);
    const params = res.body.record.params as Params;
    assert.ok(params.updatedAt, 'the edit form carries the updatedAt it was loaded with');
    return params;
  };
  const ticketRow = async (id: string) =>
    (
      await t.ctx.db.pool.query(
        'SELECT category, admin_notes, assigned_to_id, status FROM contact_submissions WHERE id = $1',
        [id],
      )
    ).rows[0];
  const userRow = async (id: string) =>
    (await t.ctx.db.pool.query('SELECT name, role, is_active FROM users WHERE id = $1', [id])).rows[0];

  before(async () => {
    t = await createPanelTestApp();
    modA = await createUser(t.ctx, { role: 'moderator', name: 'Moderator A' });
    modB = await createUser(t.ctx, { role: 'moderator', name: 'Moderator B' });
    admin = await createUser(t.ctx, { role: 'admin', name: 'Admin A' });
    otherAdmin = await createUser(t.ctx, { role: 'admin', name: 'Admin B' });
    modAgent = await panelLogin(t.app, modA);
    adminAgent = await panelLogin(t.app, admin);
  });
  after(() => t.close());

  test('when another moderator adds admin notes after the form was opened, then saving the form is refused with the stale notice and the notes stay', async () => {
    const ticket = await createTicket(t.ctx);
    const url = `${TICKETS}/records/${ticket.id}`;
    const loaded = await openEdit(modAgent, url);
    await updateTicket(t.ctx, modB, ticket.id, { admin_notes: 'Customer called: refund agreed' }, panel);

    const res = await modAgent
      .post(`${url}/edit`)
      .send({ ...loaded, category: 'bug' })
      .expect(200);
    assert.equal(res.body.notice.type, 'error');
    assert.match(res.body.notice.message, STALE);
    assert.equal(res.body.redirectUrl, undefined, 'the form stays open');
    assert.deepEqual(await ticketRow(ticket.id), {
      category: 'general',
      admin_notes: 'Customer called: refund agreed',
      assigned_to_id: null,
      status: 'pending',
    });
    // The refused response carries the current row, so the form now shows B's notes and version.
    assert.equal(res.body.record.params.adminNotes, 'Customer called: refund agreed');
    const retried = await modAgent.post(`${url}/edit`).send({ ...res.body.record.params, category: 'bug' });
    assert.equal(retried.body.notice.type, 'success');
    assert.deepEqual(await ticketRow(ticket.id), {
      category: 'bug',
      admin_notes: 'Customer called: refund agreed',
      assigned_to_id: null,
      status: 'pending',
    });
  });

  test('when another moderator takes the ticket after the form was opened, then saving the form is refused and the ticket stays assigned to them', async () => {
    const ticket = await createTicket(t.ctx);
    const url = `${TICKETS}/records/${ticket.id}`;
    const loaded = await openEdit(modAgent, url);
    await runTicketAction(t.ctx, modB, ticket.id, 'assign_to_me', {}, panel);

    const res = await modAgent
      .post(`${url}/edit`)
      .send({ ...loaded, adminNotes: 'Looking into it' })
      .expect(200);
    assert.equal(res.body.notice.type, 'error');
    assert.match(res.body.notice.message, STALE);
    assert.deepEqual(await ticketRow(ticket.id), {
      category: 'general',
      admin_notes: '',
      assigned_to_id: modB.id,
      status: 'in_progress',
    });
  });

  test('when nobody changed the ticket since the form was opened, then the save applies', async () => {
    const ticket = await createTicket(t.ctx);
    const url = `${TICKETS}/records/${ticket.id}`;
    const loaded = await openEdit(modAgent, url);
    const res = await modAgent
      .post(`${url}/edit`)
      .send({ ...loaded, adminNotes: 'First note', assignedToId: modA.id })
      .expect(200);
    assert.equal(res.body.notice.type, 'success');
    assert.deepEqual(await ticketRow(ticket.id), {
      category: 'general',
      admin_notes: 'First note',
      assigned_to_id: modA.id,
      status: 'pending',
    });
  });

  test('when another admin deactivates a user after the form was opened, then saving the form with isActive=true is refused and the user stays inactive', async () => {
    const user = await createUser(t.ctx, { role: 'moderator', name: 'Target' });
    const url = `${USERS}/records/${user.id}`;
    const loaded = await openEdit(adminAgent, url);
    assert.equal(loaded.isActive, true);
    await deactivateUser(t.ctx, otherAdmin, { userId: user.id }, panel);

    const res = await adminAgent
      .post(`${url}/edit`)
      .send({ ...loaded, name: 'Target Renamed', isActive: 'true' })
      .expect(200);
    assert.equal(res.body.notice.type, 'error');
    assert.match(res.body.notice.message, STALE);
    assert.deepEqual(await userRow(user.id), { name: 'Target', role: 'moderator', is_active: false });
  });

  test('when nobody changed the user since the form was opened, then the role change applies', async () => {
    const user = await createUser(t.ctx, { role: 'user', name: 'Plain' });
    const url = `${USERS}/records/${user.id}`;
    const loaded = await openEdit(adminAgent, url);
    const res = await adminAgent
      .post(`${url}/edit`)
      .send({ ...loaded, role: 'moderator', isActive: 'true' })
      .expect(200);
    assert.equal(res.body.notice.type, 'success');
    assert.deepEqual(await userRow(user.id), { name: 'Plain', role: 'moderator', is_active: true });
  });
});

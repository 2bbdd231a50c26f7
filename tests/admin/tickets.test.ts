import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { getTicketHistory } from '../../src/audit/audit.service.js';
import { runTicketAction } from '../../src/contact/contact.service.js';
import { ticketPanelUrl } from '../../src/shared/panel-links.js';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const API = '/admin/api/resources/tickets';
const recordUrl = (id: string, action: string) => `${API}/records/${id}/${action}`;
const bulkUrl = (action: string, ids: string[]) => `${API}/bulk/${action}?recordIds=${ids.join(',')}`;

describe('panel Ticket resource', () => {
  let t: TestApp;
  let mod: TestUser;
  let admin: TestUser;
  let modAgent: PanelAgent;
  let adminAgent: PanelAgent;
  const status = async (id: string) =>
    (await t.ctx.db.pool.query('SELECT status FROM contact_submissions WHERE id = $1', [id])).rows[0]?.status;
  const api = { source: 'api' as const };

  before(async () => {
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
    admin = await createUser(t.ctx, { role: 'admin', name: 'Ada Admin' });
    modAgent = await panelLogin(t.app, mod);
    adminAgent = await panelLogin(t.app, admin);
  });
  after(() => t.close());

  test('when a moderator lists tickets, then newest come first, archived ones are hidden, and filtering by status archived shows them', async () => {
    const older = await createTicket(t.ctx, { subject: 'older one' });
    const archived = await createTicket(t.ctx, { subject: 'archived one' });
    const newer = await createTicket(t.ctx, { subject: 'newer one' });
    await runTicketAction(t.ctx, mod, archived.id, 'resolve', {}, api);
    await runTicketAction(t.ctx, mod, archived.id, 'archive', {}, api);
    const list = await modAgent.get(`${API}/actions/list`).expect(200);
    const ids = list.body.records.map((r: { id: string }) => r.id);
    assert.ok(ids.indexOf(newer.id) < ids.indexOf(older.id), 'newest first');
    assert.ok(!ids.includes(archived.id), 'archived hidden by default');
    const onlyArchived = await modAgent.get(`${API}/actions/list?filters.status=archived`).expect(200);
    assert.deepEqual(
      onlyArchived.body.records.map((r: { id: string }) => r.id),
      [archived.id],
    );
  });

  test('when a moderator searches and filters, then only matching tickets are listed', async () => {
    const needle = await createTicket(t.ctx, {
      subject: 'Refund for order 77',
      category: 'data',
      email: 'zed@example.org',
    });
    await createTicket(t.ctx, { subject: 'Something else', category: 'bug' });
    const bySearch = await modAgent.get(`${API}/actions/list?filters.q=zed@example`).expect(200);
    assert.deepEqual(
      bySearch.body.records.map((r: { id: string }) => r.id),
      [needle.id],
    );
    const byCategory = await modAgent.get(`${API}/actions/list?filters.category=data`).expect(200);
    assert.ok(byCategory.body.records.every((r: { params: { category: string } }) => r.params.category === 'data'));
    assert.ok(byCategory.body.records.some((r: { id: string }) => r.id === needle.id));
    const future = await modAgent.get(`${API}/actions/list?filters.createdAt~~from=2999-01-01`).expect(200);
    assert.equal(future.body.records.length, 0);
  });

  test('when a moderator assigns, resolves with notes, reopens, archives and restores through the panel, then each step uses the service and is audited as admin', async () => {
    const ticket = await createTicket(t.ctx);
    let res = await modAgent.post(recordUrl(ticket.id, 'assignToMe')).send({}).expect(200);
    assert.equal(res.body.notice.type, 'success');
    assert.equal(res.body.record.params.status, 'in_progress');
    assert.equal(res.body.record.params.assignedToId, mod.id);
    res = await modAgent.post(recordUrl(ticket.id, 'resolve')).send({ resolutionNotes: 'Refund sent' }).expect(200);
    assert.equal(res.body.record.params.status, 'resolved');
    assert.equal(res.body.record.params.resolutionNotes, 'Refund sent');
    const mail = await t.ctx.db.pool.query(
      "SELECT 1 FROM email_deliveries WHERE ticket_id = $1 AND kind = 'contact_resolved'",
      [ticket.id],
    );
    assert.equal(mail.rowCount, 1, 'the resolved email is queued, as with the API');
    await modAgent.post(recordUrl(ticket.id, 'reopen')).send({}).expect(200);
    assert.equal(await status(ticket.id), 'in_progress');
    await modAgent.post(recordUrl(ticket.id, 'resolve')).send({}).expect(200);
    await modAgent.post(recordUrl(ticket.id, 'archive')).send({}).expect(200);
    assert.equal(await status(ticket.id), 'archived');
    await modAgent.post(recordUrl(ticket.id, 'restore')).send({}).expect(200);
    assert.equal(await status(ticket.id), 'resolved');
    const history = await getTicketHistory(t.ctx, mod, ticket.id);
    const changes = history.entries.filter((e) => e.type === 'change' && e.operation === 'update');
    assert.ok(changes.length >= 6);
    for (const c of changes) {
      assert.equal((c as { source: string }).source, 'admin');
      assert.equal((c as { actor: { id: string } | null }).actor?.id, mod.id);
    }
  });

  test('when a workflow action is fetched with GET, then nothing changes', async () => {
    const ticket = await createTicket(t.ctx);
    await modAgent.get(recordUrl(ticket.id, 'assignToMe')).expect(200);
    await modAgent.get(recordUrl(ticket.id, 'resolve')).expect(200);
    assert.equal(await status(ticket.id), 'pending');
  });

  test('when an action does not fit the status, then its button is hidden and a direct POST is refused with the reason', async () => {
    const ticket = await createTicket(t.ctx);
    const shown = await modAgent.get(recordUrl(ticket.id, 'show')).expect(200);
    const names = shown.body.record.recordActions.map((a: { name: string }) => a.name);
    assert.ok(names.includes('assignToMe') && names.includes('resolve'));
    assert.ok(!names.includes('reopen') && !names.includes('archive') && !names.includes('restore'));
    assert.ok(!names.includes('delete'), 'moderators do not see delete');
    const res = await modAgent.post(recordUrl(ticket.id, 'archive')).send({}).expect(200);
    assert.equal(res.body.notice.type, 'error');
    assert.match(res.body.notice.message, /is pending/);
    assert.equal(await status(ticket.id), 'pending');
  });

  test('when a ticket is assigned to someone else, then Assign to me is refused unless "take over" is ticked', async () => {
    const ticket = await createTicket(t.ctx);
    await runTicketAction(t.ctx, admin, ticket.id, 'assign_to_me', {}, api);
    const refused = await modAgent.post(recordUrl(ticket.id, 'assignToMe')).send({}).expect(200);
    assert.equal(refused.body.notice.type, 'error');
    const forced = await modAgent.post(recordUrl(ticket.id, 'assignToMe')).send({ force: 'true' }).expect(200);
    assert.equal(forced.body.record.params.assignedToId, mod.id);
  });

  test('when a moderator edits category, notes and assignee, then updateTicket applies them and status fields are ignored', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await modAgent
      .post(recordUrl(ticket.id, 'edit'))
      .send({ category: 'bug', adminNotes: 'Called back', assignedToId: admin.id, status: 'resolved' })
      .expect(200);
    assert.equal(res.body.notice.type, 'success');
    const row = (
      await t.ctx.db.pool.query(
        'SELECT category, admin_notes, assigned_to_id, status FROM contact_submissions WHERE id = $1',
        [ticket.id],
      )
    ).rows[0];
    assert.deepEqual(row, { category: 'bug', admin_notes: 'Called back', assigned_to_id: admin.id, status: 'pending' });
    const bad = await modAgent.post(recordUrl(ticket.id, 'edit')).send({ assignedToId: ticket.id }).expect(200);
    assert.equal(bad.body.notice.type, 'error');
    assert.ok(bad.body.record.errors.assignedToId);
    const unassign = await modAgent.post(recordUrl(ticket.id, 'edit')).send({ assignedToId: '' }).expect(200);
    assert.equal(unassign.body.record.params.assignedToId, null);
  });

  test('when a moderator calls delete, bulk delete or new directly, then it is refused and nothing is deleted', async () => {
    const ticket = await createTicket(t.ctx);
    const del = await modAgent.post(recordUrl(ticket.id, 'delete')).send({}).expect(200);
    assert.equal(del.body.notice.type, 'error');
    assert.equal(del.body.notice.message, 'forbiddenError');
    const bulk = await modAgent
      .post(bulkUrl('bulkDelete', [ticket.id]))
      .send({})
      .expect(200);
    assert.equal(bulk.body.notice.type, 'error');
    assert.equal(await status(ticket.id), 'pending');
    const created = await modAgent.post(`${API}/actions/new`).send({ name: 'x' }).expect(200);
    assert.equal(created.body.notice.type, 'error');
    const createdByAdmin = await adminAgent.post(`${API}/actions/new`).send({ name: 'x' }).expect(200);
    assert.equal(createdByAdmin.body.notice.type, 'error');
  });

  test('when an admin deletes a ticket, then it is gone and the deletion is audited as admin', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await adminAgent.post(recordUrl(ticket.id, 'delete')).send({}).expect(200);
    assert.equal(res.body.notice.type, 'success');
    assert.equal(await status(ticket.id), undefined);
    const history = await getTicketHistory(t.ctx, admin, ticket.id);
    const deletion = history.entries.find((e) => e.type === 'change' && e.operation === 'delete');
    assert.equal((deletion as { source: string }).source, 'admin');
  });

  test('when a moderator runs bulk Assign to me, then qualifying tickets change in one go and the notice names the skipped ones with reasons', async () => {
    const a = await createTicket(t.ctx);
    const b = await createTicket(t.ctx);
    const done = await createTicket(t.ctx);
    await runTicketAction(t.ctx, admin, done.id, 'resolve', {}, api);
    const taken = await createTicket(t.ctx);
    await runTicketAction(t.ctx, admin, taken.id, 'assign_to_me', {}, api);
    const res = await modAgent
      .post(bulkUrl('bulkAssignToMe', [a.id, b.id, done.id, taken.id]))
      .send({})
      .expect(200);
    assert.deepEqual(res.body.bulkResult.changed.map((c: { id: string }) => c.id).sort(), [a.id, b.id].sort());
    assert.equal(res.body.bulkResult.skipped.length, 2);
    assert.equal(res.body.notice.type, 'info');
    assert.match(res.body.notice.message, /^2 tickets changed\. 2 skipped: /);
    assert.ok(res.body.notice.message.includes(`${done.ticketNumber} is resolved`));
    assert.ok(res.body.notice.message.includes(taken.ticketNumber));
    assert.equal(await status(a.id), 'in_progress');
  });

  test('when a moderator bulk resolves, archives and restores, then the statuses follow and resolution notes are set', async () => {
    const a = await createTicket(t.ctx);
    const b = await createTicket(t.ctx);
    const res = await modAgent
      .post(bulkUrl('bulkResolve', [a.id, b.id]))
      .send({ resolutionNotes: 'Batch fix' })
      .expect(200);
    assert.equal(res.body.notice.message, '2 tickets changed.');
    const notes = await t.ctx.db.pool.query('SELECT resolution_notes FROM contact_submissions WHERE id = ANY($1)', [
      [a.id, b.id],
    ]);
    assert.deepEqual(
      notes.rows.map((r) => r.resolution_notes),
      ['Batch fix', 'Batch fix'],
    );
    await modAgent
      .post(bulkUrl('bulkArchive', [a.id, b.id]))
      .send({})
      .expect(200);
    assert.equal(await status(a.id), 'archived');
    await modAgent
      .post(bulkUrl('bulkRestore', [a.id]))
      .send({})
      .expect(200);
    assert.equal(await status(a.id), 'resolved');
    assert.equal(await status(b.id), 'archived');
  });

  test('when a ticket is shown, then its emails are listed', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await modAgent.get(recordUrl(ticket.id, 'show')).expect(200);
    const emails = JSON.parse(res.body.record.params.emails);
    assert.ok(
      emails.some(
        (e: { kind: string; recipient: string }) => e.kind === 'contact_confirmation' && e.recipient === ticket.email,
      ),
    );
  });

  test('when a moderator follows the link from an admin alert email, then the panel serves that ticket', async () => {
    const ticket = await createTicket(t.ctx);
    const link = new URL(ticketPanelUrl(t.ctx.config.publicUrl, ticket.id));
    const page = await modAgent.get(link.pathname).expect(200);
    assert.match(page.text, /<html/i);
    // The page loads the record through the matching API route.
    const api = await modAgent.get(link.pathname.replace(/^\/admin\//, '/admin/api/')).expect(200);
    assert.equal(api.body.record.id, ticket.id);
    assert.equal(api.body.record.params.ticketNumber, ticket.ticketNumber);
  });

  test('when the dashboard is loaded, then it has counts, 30 days of data and my assigned tickets', async () => {
    const mine = await createTicket(t.ctx, { subject: 'dashboard mine' });
    await runTicketAction(t.ctx, mod, mine.id, 'assign_to_me', {}, api);
    const res = await modAgent.get('/admin/api/dashboard').expect(200);
    assert.equal(res.body.days.length, 30);
    assert.ok(res.body.counts.open >= 1);
    const listed = res.body.myAssigned.find((x: { id: string }) => x.id === mine.id);
    assert.deepEqual(
      { ticketNumber: listed.ticketNumber, subject: listed.subject, status: listed.status },
      { ticketNumber: mine.ticketNumber, subject: 'dashboard mine', status: 'in_progress' },
    );
    assert.equal(listed.createdAt, (mine.createdAt as Date).toISOString());
    assert.ok(res.body.days.at(-1).total >= 1, 'today has tickets');
    // The oldest pending tickets: pending only, oldest first, at most five, the same as the list's first page.
    const oldest = res.body.oldestPending as Array<{ id: string; status: string; createdAt: string }>;
    assert.ok(oldest.length >= 1 && oldest.length <= 5);
    assert.ok(oldest.every((x) => x.status === 'pending'));
    const { rows } = await t.ctx.db.pool.query<{ id: string }>(
      `SELECT id FROM contact_submissions WHERE status = 'pending' ORDER BY created_at, id LIMIT 5`,
    );
    assert.deepEqual(
      oldest.map((x) => x.id),
      rows.map((r) => r.id),
    );
  });

  test('when anonymous, then a direct POST to a ticket action is redirected to login and changes nothing', async () => {
    const ticket = await createTicket(t.ctx);
    const res = await request(t.app).post(recordUrl(ticket.id, 'assignToMe')).send({}).expect(302);
    assert.equal(res.headers.location, '/admin/login');
    assert.equal(await status(ticket.id), 'pending');
  });
});

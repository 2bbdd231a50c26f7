// The status machine through the REST API: every transition allowed and refused, the named
// actions, resolution bookkeeping, concurrent claims and the error answers for bad ids.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { TICKET_STATUSES } from '../../src/contact/contact.schema.js';
import {
  ACTION_RULES,
  STATUS_TRANSITIONS,
  TICKET_ACTIONS,
  type TicketAction,
} from '../../src/contact/ticket-workflow.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createUser, createUserWithToken, type TestUser } from '../helpers/factories.js';
import { statusOf, ticketIn } from './moderator-fixtures.js';

const base = '/api/v1/contact';
const ACTION_PATH: Record<TicketAction, string> = {
  assign_to_me: 'assign-to-me',
  resolve: 'mark-resolved',
  reopen: 'reopen',
  archive: 'archive',
  restore: 'restore',
};

describe('ticket workflow over REST', () => {
  const clock = new TestClock('2026-04-01T09:00:00Z');
  let t: TestApp;
  let mod: { user: TestUser; auth: Record<string, string> };
  let mod2: { user: TestUser; auth: Record<string, string> };
  let admin: { user: TestUser; auth: Record<string, string> };

  before(async () => {
    t = await createTestApp({ clock });
    mod = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Mo Derator' });
    mod2 = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Second Mod' });
    admin = await createUserWithToken(t.ctx, { role: 'admin' });
  });
  after(() => t.close());

  describe('PATCH status, table-driven from STATUS_TRANSITIONS', () => {
    for (const from of TICKET_STATUSES) {
      for (const to of TICKET_STATUSES.filter((s) => s !== from)) {
        const allowed = STATUS_TRANSITIONS[from].includes(to);
        test(`when PATCH moves a ${from} ticket to ${to}, then it is ${allowed ? 'allowed (200)' : 'refused (409 naming both)'}`, async () => {
          const ticket = await ticketIn(t.ctx, mod.user, from);
          const res = await request(t.app).patch(`${base}/${ticket.id}`).set(mod.auth).send({ status: to });
          if (allowed) {
            assert.equal(res.status, 200, res.text);
            assert.equal(res.body.status, to);
          } else {
            assert.equal(res.status, 409, res.text);
            assert.equal(res.body.error.code, 'invalid_transition');
            assert.match(res.body.error.message, new RegExp(`from ${from} to ${to}`));
          }
          assert.equal(await statusOf(t.ctx, ticket.id), allowed ? to : from);
        });
      }
    }
  });

  describe('named actions, table-driven from ACTION_RULES', () => {
    for (const action of TICKET_ACTIONS) {
      for (const from of TICKET_STATUSES) {
        const rule = ACTION_RULES[action];
        const allowed = rule.from.includes(from);
        const to = rule.to ?? (from === 'pending' ? 'in_progress' : from);
        test(`when ${action} is called on a ${from} ticket, then it is ${allowed ? `allowed (→ ${to})` : 'refused (409)'}`, async () => {
          const ticket = await ticketIn(t.ctx, mod.user, from);
          const res = await request(t.app).post(`${base}/${ticket.id}/${ACTION_PATH[action]}`).set(mod.auth);
          if (allowed) {
            assert.equal(res.status, 200, res.text);
            assert.equal(res.body.status, to);
          } else {
            assert.equal(res.status, 409, res.text);
            assert.equal(res.body.error.code, 'invalid_transition');
            assert.match(res.body.error.message, new RegExp(`${from} → ${rule.to ?? 'in_progress'}`));
            assert.match(res.body.error.message, new RegExp(ticket.ticketNumber));
          }
          assert.equal(await statusOf(t.ctx, ticket.id), allowed ? to : from);
        });
      }
    }
  });

  test('when a moderator resolves with notes, then resolved_by/at are set, the notes kept and the resolution email queued', async () => {
    const ticket = await ticketIn(t.ctx, mod.user, 'in_progress');
    clock.set('2026-04-01T10:30:00Z');
    const res = await request(t.app)
      .post(`${base}/${ticket.id}/mark-resolved`)
      .set(mod2.auth)
      .send({ resolution_notes: 'Reset the password' })
      .expect(200);
    assert.deepEqual(res.body.resolved_by, { id: mod2.user.id, name: 'Second Mod', email: mod2.user.email });
    assert.equal(res.body.resolved_at, '2026-04-01T10:30:00.000Z');
    assert.equal(res.body.resolution_notes, 'Reset the password');
    const { rows } = await t.ctx.db.pool.query(
      `SELECT recipient FROM email_deliveries WHERE ticket_id = $1 AND kind = 'contact_resolved'`,
      [ticket.id],
    );
    assert.deepEqual(
      rows.map((r) => r.recipient),
      [ticket.email],
    );
  });

  test('when a resolved ticket is archived and restored, then the original resolution is kept; reopening clears it', async () => {
    const ticket = await ticketIn(t.ctx, mod.user, 'resolved');
    const resolved = (await request(t.app).get(`${base}/${ticket.id}`).set(mod.auth).expect(200)).body;
    assert.equal(resolved.resolved_by.id, mod.user.id);
    await request(t.app).post(`${base}/${ticket.id}/archive`).set(mod2.auth).expect(200);
    const restored = (await request(t.app).post(`${base}/${ticket.id}/restore`).set(mod2.auth).expect(200)).body;
    assert.equal(restored.status, 'resolved');
    assert.equal(restored.resolved_by.id, mod.user.id);
    assert.equal(restored.resolved_at, resolved.resolved_at);
    const reopened = (await request(t.app).post(`${base}/${ticket.id}/reopen`).set(mod2.auth).expect(200)).body;
    assert.equal(reopened.status, 'in_progress');
    assert.equal(reopened.resolved_by, null);
    assert.equal(reopened.resolved_at, null);
  });

  test('when two moderators claim the same ticket at once, then exactly one gets 200 and the other 409', async () => {
    for (let round = 0; round < 5; round++) {
      const ticket = await ticketIn(t.ctx, mod.user, 'pending');
      const [a, b] = await Promise.all([
        request(t.app).post(`${base}/${ticket.id}/assign-to-me`).set(mod.auth),
        request(t.app).post(`${base}/${ticket.id}/assign-to-me`).set(mod2.auth),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.text} ${b.text}`);
      const winner = a.status === 200 ? mod : mod2;
      const loser = a.status === 200 ? b : a;
      assert.equal(loser.body.error.code, 'already_assigned');
      const now = (await request(t.app).get(`${base}/${ticket.id}`).set(mod.auth)).body;
      assert.equal(now.assigned_to.id, winner.user.id);
      assert.equal(now.status, 'in_progress');
    }
  });

  test('when a ticket is assigned to someone else, then a claim needs {"force": true} and force takes it over', async () => {
    const ticket = await ticketIn(t.ctx, mod.user, 'in_progress');
    const refused = await request(t.app).post(`${base}/${ticket.id}/assign-to-me`).set(mod2.auth).send({}).expect(409);
    assert.match(refused.body.error.message, /force/);
    const forced = await request(t.app)
      .post(`${base}/${ticket.id}/assign-to-me`)
      .set(mod2.auth)
      .send({ force: true })
      .expect(200);
    assert.equal(forced.body.assigned_to.id, mod2.user.id);
    // Claiming your own ticket again is harmless.
    await request(t.app).post(`${base}/${ticket.id}/assign-to-me`).set(mod2.auth).expect(200);
  });

  test('when PATCH sets category, notes and assignee, then the full record comes back with summaries', async () => {
    const submitter = await createUser(t.ctx, { role: 'user', name: 'Sub Mitter' });
    const ticket = await ticketIn(t.ctx, mod.user, 'pending', { actor: submitter });
    const res = await request(t.app)
      .patch(`${base}/${ticket.id}`)
      .set(mod.auth)
      .send({ category: 'bug', admin_notes: 'Line one\nline two', assigned_to_id: mod2.user.id })
      .expect(200);
    assert.equal(res.body.category, 'bug');
    assert.equal(res.body.admin_notes, 'Line one\nline two');
    assert.deepEqual(res.body.assigned_to, { id: mod2.user.id, name: 'Second Mod', email: mod2.user.email });
    assert.deepEqual(res.body.user, { id: submitter.id, name: 'Sub Mitter', email: submitter.email });
    assert.equal(res.body.ip_address, '127.0.0.1');
    assert.equal(res.body.user_agent, 'factory');
    const unassigned = await request(t.app)
      .patch(`${base}/${ticket.id}`)
      .set(mod.auth)
      .send({ assigned_to_id: null })
      .expect(200);
    assert.equal(unassigned.body.assigned_to, null);
  });

  test('when PATCH bodies are wrong, then each is a 400 naming the field (or 415 for non-JSON)', async () => {
    const ticket = await ticketIn(t.ctx, mod.user, 'pending');
    const plainUser = await createUser(t.ctx, { role: 'user' });
    const cases: Array<[object, string]> = [
      [{}, '_'],
      [{ statuz: 'pending' }, '_'],
      [{ status: 'done' }, 'status'],
      [{ category: 'spam' }, 'category'],
      [{ assigned_to_id: 'not-a-uuid' }, 'assigned_to_id'],
      [{ assigned_to_id: plainUser.id }, 'assigned_to_id'],
      [{ admin_notes: 'x'.repeat(20_001) }, 'admin_notes'],
      [{ admin_notes: 'nul\u0000byte' }, 'admin_notes'],
    ];
    for (const [body, field] of cases) {
      const res = await request(t.app).patch(`${base}/${ticket.id}`).set(mod.auth).send(body);
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)} → ${res.text}`);
      assert.ok(res.body.error.fields[field], `${JSON.stringify(res.body.error.fields)} lacks ${field}`);
    }
    const form = await request(t.app).patch(`${base}/${ticket.id}`).set(mod.auth).type('form').send('status=resolved');
    assert.equal(form.status, 415);
    const extra = await request(t.app).post(`${base}/${ticket.id}/archive`).set(mod.auth).send({ force: true });
    assert.equal(extra.status, 400);
    const badForce = await request(t.app)
      .post(`${base}/${ticket.id}/assign-to-me`)
      .set(mod.auth)
      .send({ force: 'yes' });
    assert.equal(badForce.status, 400);
    assert.ok(badForce.body.error.fields.force);
    assert.equal(await statusOf(t.ctx, ticket.id), 'pending');
  });

  test('when an id is malformed, then every endpoint answers 400; when unknown, 404 — never 500', async () => {
    const unknown = '7d6f5f9e-1c2b-4a3d-9e8f-0a1b2c3d4e5f';
    const calls = (id: string) => [
      request(t.app).get(`${base}/${id}`).set(admin.auth),
      request(t.app).patch(`${base}/${id}`).set(admin.auth).send({ admin_notes: 'x' }),
      ...Object.values(ACTION_PATH).map((p) => request(t.app).post(`${base}/${id}/${p}`).set(admin.auth)),
      request(t.app).delete(`${base}/${id}`).set(admin.auth),
    ];
    for (const res of await Promise.all(calls('not-a-uuid'))) {
      assert.equal(res.status, 400, res.text);
      assert.deepEqual(res.body.error.fields, { id: ['must be a UUID'] });
    }
    for (const res of await Promise.all(calls("1' OR '1'='1"))) assert.equal(res.status, 400, res.text);
    for (const res of await Promise.all(calls(unknown))) {
      assert.equal(res.status, 404, res.text);
      assert.equal(res.body.error.code, 'not_found');
    }
  });

  test('when an admin deletes a ticket, then it is gone (204, then 404) and a moderator cannot delete', async () => {
    const ticket = await ticketIn(t.ctx, mod.user, 'pending');
    await request(t.app).delete(`${base}/${ticket.id}`).set(mod.auth).expect(403);
    const res = await request(t.app).delete(`${base}/${ticket.id}`).set(admin.auth).expect(204);
    assert.equal(res.text, '');
    await request(t.app).get(`${base}/${ticket.id}`).set(admin.auth).expect(404);
    await request(t.app).delete(`${base}/${ticket.id}`).set(admin.auth).expect(404);
  });
});

// GET /api/v1/contact/ (filters, ordering, pagination, search, bad parameters) and
// GET /api/v1/contact/stats/overview, on a small data set with known times.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { TicketCategory } from '../../src/contact/contact.schema.js';
import { runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';

const T0 = Date.parse('2026-05-10T12:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const META = { source: 'api' as const };
const url = '/api/v1/contact/';

describe('ticket list and stats', () => {
  const clock = new TestClock(new Date(T0));
  let t: TestApp;
  let mod: { user: TestUser; auth: Record<string, string> };
  let mod2: { user: TestUser; auth: Record<string, string> };
  const ids: Record<string, string> = {};
  const numbers: Record<string, string> = {};

  /** One ticket: created at T0 - age, then walked through `steps` (each one hour later). */
  async function make(
    name: string,
    age: number,
    category: TicketCategory,
    fields: { email: string; subject: string },
    steps: Array<(id: string) => Promise<unknown>> = [],
    stepGap = H,
  ) {
    clock.set(new Date(T0 - age));
    const ticket = await createTicket(t.ctx, { name, category, ...fields });
    ids[name] = ticket.id;
    numbers[name] = ticket.ticketNumber;
    for (const step of steps) {
      clock.advance(stepGap);
      await step(ticket.id);
    }
  }

  before(async () => {
    t = await createTestApp({ clock });
    mod = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Alpha Mod' });
    mod2 = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Beta Mod' });
    const claim = (m: TestUser) => (id: string) => runTicketAction(t.ctx, m, id, 'assign_to_me', {}, META);
    const resolve = (id: string) => runTicketAction(t.ctx, mod.user, id, 'resolve', {}, META);
    const archive = (id: string) => runTicketAction(t.ctx, mod.user, id, 'archive', {}, META);
    const giveTo = (m: TestUser) => (id: string) => updateTicket(t.ctx, mod.user, id, { assigned_to_id: m.id }, META);
    await make('Ann Lee', H, 'general', { email: 'ann@alpha.test', subject: 'Cannot log in' });
    await make('Bob Stone', 2 * D, 'bug', { email: 'bob@beta.test', subject: 'Crash on SAVE button' }, [
      claim(mod.user),
    ]);
    await make('Chen Wu', 5 * D, 'feature', { email: 'chen@alpha.test', subject: 'Dark mode please' }, [
      claim(mod2.user),
    ]);
    await make(
      'Dana 100%_Sure',
      10 * D,
      'bug',
      { email: 'dana@gamma.test', subject: 'Invoice wrong' },
      [resolve],
      2 * H,
    );
    await make(
      'Eli Back\\slash',
      20 * D,
      'account',
      { email: 'eli@beta.test', subject: 'Delete my account' },
      [resolve, archive],
      10 * H,
    );
    await make('Fay Old', 40 * D, 'other', { email: 'fay@delta.test', subject: 'Old question' });
    await make('Gus Hill', 3 * H, 'general', { email: 'GUS@Alpha.test', subject: 'Billing' }, [giveTo(mod2.user)]);
    await make('Hal Ancient', 60 * D, 'data', { email: 'hal@delta.test', subject: 'Export my data' }, [resolve]);
    // The oldest ticket is the most recently updated one: updated_at and created_at orders differ.
    clock.set(new Date(T0 - H / 2));
    await updateTicket(t.ctx, mod.user, ids['Fay Old']!, { admin_notes: 'called back' }, META);
    clock.set(new Date(T0));
  });
  after(() => t.close());

  const list = (query: string, auth = mod.auth) => request(t.app).get(`${url}?${query}`).set(auth);
  const names = (res: request.Response) => res.body.items.map((i: { name: string }) => i.name);

  test('when no filter is given, then non-archived tickets come newest first with the page envelope', async () => {
    const res = await list('').expect(200);
    assert.deepEqual(names(res), [
      'Ann Lee',
      'Gus Hill',
      'Bob Stone',
      'Chen Wu',
      'Dana 100%_Sure',
      'Fay Old',
      'Hal Ancient',
    ]);
    assert.deepEqual(
      { total: res.body.total, page: res.body.page, page_size: res.body.page_size, pages: res.body.pages },
      { total: 7, page: 1, page_size: 20, pages: 1 },
    );
    assert.equal(res.body.total_capped, false);
    assert.equal(res.body.items[0].ticket_number, numbers['Ann Lee']);
  });

  test('when status filters are given, then only those statuses come back and archived only when asked for', async () => {
    assert.deepEqual(names(await list('status=archived').expect(200)), ['Eli Back\\slash']);
    assert.deepEqual(names(await list('status=pending&status=in_progress').expect(200)), [
      'Ann Lee',
      'Gus Hill',
      'Bob Stone',
      'Chen Wu',
      'Fay Old',
    ]);
    assert.deepEqual(names(await list('status=resolved&status=archived').expect(200)), [
      'Dana 100%_Sure',
      'Eli Back\\slash',
      'Hal Ancient',
    ]);
    const all = await list('include_archived=true').expect(200);
    assert.equal(all.body.total, 8);
    assert.ok(names(all).includes('Eli Back\\slash'));
    assert.equal((await list('include_archived=false').expect(200)).body.total, 7);
  });

  test('when category filters are given, then they combine with OR and still hide archived', async () => {
    assert.deepEqual(names(await list('category=bug').expect(200)), ['Bob Stone', 'Dana 100%_Sure']);
    assert.deepEqual(names(await list('category=bug&category=account').expect(200)), ['Bob Stone', 'Dana 100%_Sure']);
    assert.deepEqual(names(await list('category=bug&category=account&include_archived=1').expect(200)), [
      'Bob Stone',
      'Dana 100%_Sure',
      'Eli Back\\slash',
    ]);
  });

  test('when assigned_to is me, none or a user id, then it filters on the assignee', async () => {
    assert.deepEqual(names(await list('assigned_to=me').expect(200)), ['Bob Stone']);
    assert.deepEqual(names(await list('assigned_to=me', mod2.auth).expect(200)), ['Gus Hill', 'Chen Wu']);
    assert.deepEqual(names(await list(`assigned_to=${mod2.user.id}`).expect(200)), ['Gus Hill', 'Chen Wu']);
    assert.deepEqual(names(await list('assigned_to=none').expect(200)), [
      'Ann Lee',
      'Dana 100%_Sure',
      'Fay Old',
      'Hal Ancient',
    ]);
  });

  test('when a created range is given, then created_after is inclusive, created_before exclusive, dates mean 00:00 UTC', async () => {
    const cut = new Date(T0 - 6 * D).toISOString();
    assert.deepEqual(names(await list(`created_after=${cut}`).expect(200)), [
      'Ann Lee',
      'Gus Hill',
      'Bob Stone',
      'Chen Wu',
    ]);
    assert.deepEqual(names(await list(`created_before=${cut}`).expect(200)), [
      'Dana 100%_Sure',
      'Fay Old',
      'Hal Ancient',
    ]);
    // Chen Wu was created 2026-05-05T12:00Z.
    assert.deepEqual(names(await list('created_after=2026-05-05&created_before=2026-05-06').expect(200)), ['Chen Wu']);
    assert.deepEqual(names(await list('created_after=2026-05-06&created_before=2026-05-08').expect(200)), []);
    const exact = new Date(T0 - 5 * D).toISOString();
    assert.deepEqual(names(await list(`created_after=${exact}&created_before=${exact}`).expect(200)), []);
    assert.deepEqual(
      names(
        await list(`created_after=${encodeURIComponent('2026-05-05T14:00:00+02:00')}&created_before=2026-05-06`).expect(
          200,
        ),
      ),
      ['Chen Wu'],
    );
  });

  test('when q is given, then it matches ticket number, name, email and subject case-insensitively, wildcards literal', async () => {
    assert.deepEqual(names(await list('q=ALPHA').expect(200)), ['Ann Lee', 'Gus Hill', 'Chen Wu']);
    assert.deepEqual(names(await list('q=save').expect(200)), ['Bob Stone']);
    assert.deepEqual(names(await list(`q=${numbers['Chen Wu']!.toLowerCase()}`).expect(200)), ['Chen Wu']);
    assert.deepEqual(names(await list('q=hill').expect(200)), ['Gus Hill']);
    assert.deepEqual(names(await list('q=invoice').expect(200)), ['Dana 100%_Sure']);
    assert.equal((await list('q=cont-').expect(200)).body.total, 7);
    for (const literal of ['%25', '_', '100%25_']) {
      assert.deepEqual(names(await list(`q=${literal}`).expect(200)), ['Dana 100%_Sure'], literal);
    }
    assert.deepEqual(names(await list('q=%5C&include_archived=true').expect(200)), ['Eli Back\\slash']);
    assert.deepEqual(names(await list('q=%20%20stone%20').expect(200)), ['Bob Stone']);
    assert.deepEqual(names(await list('q=nobody-matches-this').expect(200)), []);
  });

  test('when an ordering is given, then rows come in that order', async () => {
    assert.deepEqual(names(await list('ordering=created_at').expect(200)), [
      'Hal Ancient',
      'Fay Old',
      'Dana 100%_Sure',
      'Chen Wu',
      'Bob Stone',
      'Gus Hill',
      'Ann Lee',
    ]);
    assert.deepEqual(names(await list('ordering=status').expect(200)), [
      'Ann Lee',
      'Gus Hill',
      'Fay Old',
      'Bob Stone',
      'Chen Wu',
      'Dana 100%_Sure',
      'Hal Ancient',
    ]);
    const { rows } = await t.ctx.db.pool.query(
      `SELECT name FROM contact_submissions WHERE status <> 'archived' ORDER BY updated_at DESC, id DESC`,
    );
    const byUpdate = rows.map((r) => r.name);
    assert.notDeepEqual(byUpdate, names(await list('').expect(200)), 'the data set must tell the orderings apart');
    assert.deepEqual(names(await list('ordering=-updated_at').expect(200)), byUpdate);
    assert.deepEqual(names(await list('ordering=updated_at').expect(200)), [...byUpdate].reverse());
    assert.deepEqual(names(await list('ordering=-created_at').expect(200)), names(await list('').expect(200)));
  });

  test('when paginating, then page sizes 1 and 100 work, a page past the end is empty and 0 / 101 are refused', async () => {
    const one = await list('page_size=1&page=7').expect(200);
    assert.deepEqual(names(one), ['Hal Ancient']);
    assert.deepEqual([one.body.total, one.body.pages, one.body.page, one.body.page_size], [7, 7, 7, 1]);
    const past = await list('page_size=1&page=8').expect(200);
    assert.deepEqual([past.body.items.length, past.body.total, past.body.page], [0, 7, 8]);
    assert.deepEqual(names(await list('page_size=2&page=2').expect(200)), ['Bob Stone', 'Chen Wu']);
    assert.equal((await list('page_size=2&page=4').expect(200)).body.pages, 4);
    assert.equal((await list('page_size=100').expect(200)).body.items.length, 7);
    for (const q of ['page_size=101', 'page_size=0', 'page=0', 'page=-1', 'page=1.5', 'page=abc', 'page_size=']) {
      const res = await list(q);
      assert.equal(res.status, 400, `${q} → ${res.text}`);
      assert.ok(res.body.error.fields[q.split('=')[0]!], `${q}: ${res.text}`);
    }
  });

  test('when query parameters are bad, then the answer is 400 naming each parameter, never 500', async () => {
    const cases: Array<[string, string]> = [
      ['status=done', 'status'],
      ['status=pending,resolved', 'status'],
      ['category=spam', 'category'],
      ['assigned_to=someone', 'assigned_to'],
      ['created_after=yesterday', 'created_after'],
      ['created_before=2026-13-01', 'created_before'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['q=a&q=b', 'q'],
      ['q=%00', 'q'],
      ['ordering=email', 'ordering'],
      ['waiting_on=someone', 'waiting_on'],
      ['include_archived=maybe', 'include_archived'],
      ['stauts=pending', 'stauts'],
      ['created_after=2026-05-09&created_before=2026-05-01', 'created_after'],
    ];
    for (const [q, field] of cases) {
      const res = await list(q);
      assert.equal(res.status, 400, `${q} → ${res.text}`);
      assert.equal(res.body.error.code, 'validation_error');
      assert.ok(res.body.error.fields[field], `${q}: ${JSON.stringify(res.body.error.fields)}`);
    }
    const two = await list('status=nope&page=0');
    assert.deepEqual(Object.keys(two.body.error.fields).sort(), ['page', 'status']);
  });

  test('when stats are requested, then every figure matches the data set', async () => {
    const res = await request(t.app).get('/api/v1/contact/stats/overview').set(mod.auth).expect(200);
    const s = res.body;
    assert.equal(s.total, 8);
    assert.deepEqual(s.by_status, { pending: 3, in_progress: 2, resolved: 2, archived: 1 });
    assert.deepEqual(s.by_category, { general: 2, bug: 2, feature: 1, abuse: 0, data: 1, account: 1, other: 1 });
    assert.equal(s.open, 5);
    assert.equal(s.unassigned_open, 2);
    assert.deepEqual([s.created_last_24h, s.created_last_7d, s.created_last_30d], [2, 4, 6]);
    // Resolved in the last 30 days: Dana after 2 h, Eli after 10 h (Hal was resolved 60 days ago).
    assert.deepEqual(s.resolution_time_30d, { resolved_count: 2, median_seconds: 6 * 3600, p90_seconds: 9.2 * 3600 });
    assert.equal(s.oldest_pending_age_seconds, 40 * 86_400);
    assert.deepEqual(s.open_by_assignee, [
      { id: mod2.user.id, name: 'Beta Mod', email: mod2.user.email, open: 2 },
      { id: mod.user.id, name: 'Alpha Mod', email: mod.user.email, open: 1 },
    ]);
    assert.equal(s.generated_at, new Date(T0).toISOString());
  });
});

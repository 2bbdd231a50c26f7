// Saved views through REST on real PostgreSQL: the built-in views and their counts (one query),
// a moderator's own and shared views, who may change them, `view=<id>` on the list and the CSV
// export, bad input as 400 with field messages; and ordering by every sortable list column.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { runTicketAction } from '../../src/contact/contact.service.js';
import { TICKET_ORDERINGS, TOTAL_COUNT_CAP } from '../../src/contact/ticket.filters.js';
import { postStaffMessage } from '../../src/conversation/conversation.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';

const META = { source: 'api' as const };

describe('saved views', () => {
  let t: TestApp;
  let mia: { user: TestUser; auth: Record<string, string> };
  let noah: { user: TestUser; auth: Record<string, string> };
  const ids: Record<string, string> = {};

  const views = async (auth: Record<string, string>) =>
    (await request(t.app).get('/api/v1/views').set(auth).expect(200)).body.items as Array<{
      id: string;
      name: string;
      count: number;
      builtin: boolean;
      editable: boolean;
    }>;
  const names = async (query: Record<string, string>, auth = mia.auth) =>
    (
      (await request(t.app).get('/api/v1/contact/').query(query).set(auth).expect(200)).body.items as Array<{
        name: string;
      }>
    ).map((i) => i.name);

  before(async () => {
    t = await createTestApp();
    mia = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Mia' });
    noah = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Noah' });
    for (const [name, subject] of [
      ['Ada', 'Billing question'],
      ['Ben', 'App crashes'],
      ['Cleo', 'Billing address change'],
      ['Dev', 'Login loop'],
    ] as const) {
      ids[name] = (await createTicket(t.ctx, { name, subject, email: `${name.toLowerCase()}@example.com` })).id;
    }
    await runTicketAction(t.ctx, mia.user, ids.Ada!, 'assign_to_me', {}, META);
    await runTicketAction(t.ctx, mia.user, ids.Ben!, 'assign_to_me', {}, META);
    await runTicketAction(t.ctx, noah.user, ids.Cleo!, 'assign_to_me', {}, META);
    // Mia answered Ada (public reply): Ada now waits on the customer. A note on Ben changes nothing.
    await postStaffMessage(
      t.ctx,
      mia.user,
      ids.Ada!,
      { kind: 'reply', body: 'Could you send the invoice number?' },
      META,
    );
    await postStaffMessage(t.ctx, mia.user, ids.Ben!, { kind: 'note', body: 'Reproduced on Android.' }, META);
  });

  after(() => t?.close());

  test('when a moderator lists views, then the built-ins come first with their counts', async () => {
    const list = await views(mia.auth);
    const byId = Object.fromEntries(list.map((v) => [v.id, v]));
    assert.deepEqual(
      list.filter((v) => v.builtin).map((v) => v.name),
      ['My open', 'Unassigned', 'Breaching soon', 'Waiting on customer'],
    );
    assert.equal(byId['my-open']!.count, 2);
    assert.equal(byId.unassigned!.count, 1);
    assert.equal(byId['waiting-on-customer']!.count, 1);
    assert.equal((await views(noah.auth)).find((v) => v.id === 'my-open')!.count, 1);
    assert.deepEqual(await names({ view: 'waiting-on-customer' }), ['Ada']);
    assert.deepEqual((await names({ view: 'my-open' })).sort(), ['Ada', 'Ben']);
  });

  test('when a moderator saves a view, then it lists tickets with other filters narrowing it, and only shared ones reach colleagues', async () => {
    const mine = await request(t.app)
      .post('/api/v1/views')
      .set(mia.auth)
      .send({ name: 'Billing', query: { q: 'billing', ordering: 'name' } })
      .expect(201);
    assert.equal(mine.body.shared, false);
    assert.deepEqual(await names({ view: mine.body.id }), ['Ada', 'Cleo']);
    assert.deepEqual(await names({ view: mine.body.id, assigned_to: 'me' }), ['Ada']);
    const listed = (await views(mia.auth)).find((v) => v.id === mine.body.id)!;
    assert.equal(listed.count, 2);
    assert.equal(listed.editable, true);

    // Private: Noah neither sees nor uses it.
    assert.equal(
      (await views(noah.auth)).some((v) => v.id === mine.body.id),
      false,
    );
    await request(t.app).get('/api/v1/contact/').query({ view: mine.body.id }).set(noah.auth).expect(404);

    // Shared: Noah sees and uses it but may not change it.
    await request(t.app).patch(`/api/v1/views/${mine.body.id}`).set(mia.auth).send({ shared: true }).expect(200);
    const seen = (await views(noah.auth)).find((v) => v.id === mine.body.id)!;
    assert.equal(seen.editable, false);
    assert.deepEqual(await names({ view: mine.body.id }, noah.auth), ['Ada', 'Cleo']);
    await request(t.app).delete(`/api/v1/views/${mine.body.id}`).set(noah.auth).expect(403);

    // The export holds what the view holds.
    const csv = await request(t.app)
      .get('/api/v1/contact/export.csv')
      .query({ view: mine.body.id })
      .set(mia.auth)
      .expect(200);
    assert.equal(csv.text.trim().split('\n').length, 3);

    await request(t.app).delete(`/api/v1/views/${mine.body.id}`).set(mia.auth).expect(204);
    assert.equal(
      (await views(mia.auth)).some((v) => v.id === mine.body.id),
      false,
    );
  });

  test('when a view is bad, then the answer is 400 naming the field, never 500', async () => {
    const bad = async (body: unknown, field: string) => {
      const res = await request(t.app)
        .post('/api/v1/views')
        .set(mia.auth)
        .send(body as object);
      assert.equal(res.status, 400, res.text);
      assert.ok(res.body.error.fields[field], `${field}: ${JSON.stringify(res.body.error.fields)}`);
    };
    await bad({ name: '', query: {} }, 'name');
    await bad({ name: 'x'.repeat(81), query: {} }, 'name');
    await bad({ name: 'Bad status', query: { status: 'done' } }, 'query.status');
    await bad({ name: 'Typo', query: { stauts: 'pending' } }, 'query.stauts');
    await bad({ name: 'Paged', query: { page: '2' } }, 'query.page');
    await bad({ name: 'Extra', query: {}, colour: 'red' }, 'colour');
    await request(t.app).post('/api/v1/views').set(mia.auth).send({ name: 'Twice', query: {} }).expect(201);
    await bad({ name: 'twice', query: {} }, 'name');
    await request(t.app).get('/api/v1/contact/').query({ view: 'no-such-view' }).set(mia.auth).expect(404);
    await request(t.app).get('/api/v1/contact/').query({ view: '../x' }).set(mia.auth).expect(400);
  });

  test('when the list is ordered by any sortable column, then rows come in that order both ways', async () => {
    const all = (await request(t.app).get('/api/v1/contact/').set(mia.auth).expect(200)).body.items as Array<
      Record<string, unknown>
    >;
    const key = (row: Record<string, unknown>, field: string) => {
      const v = row[field === 'assigned_to_id' ? 'assigned_to' : field];
      return v && typeof v === 'object' ? (v as { name: string }).name : (v as string | null);
    };
    for (const ordering of TICKET_ORDERINGS.filter((o) => !o.startsWith('-'))) {
      for (const o of [ordering, `-${ordering}`]) {
        const res = await request(t.app).get('/api/v1/contact/').query({ ordering: o }).set(mia.auth).expect(200);
        const got = (res.body.items as Array<Record<string, unknown>>).map((r) => key(r, ordering));
        assert.equal(got.length, all.length, o);
        const present = got.filter((v) => v !== null);
        // Unassigned (null) last both ways for a person; other columns are never null here.
        if (ordering === 'assigned_to_id')
          assert.deepEqual(
            got.slice(present.length),
            got.filter((v) => v === null),
            o,
          );
        const enumField = ['status', 'priority', 'category'].includes(ordering);
        if (enumField) continue; // declared order, checked in moderator-list.test.ts / priority.test.ts
        const sorted = [...present].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
        assert.deepEqual(present, o.startsWith('-') ? sorted.reverse() : sorted, o);
      }
    }
    assert.deepEqual(
      (await request(t.app).get('/api/v1/contact/').query({ ordering: 'category' }).set(mia.auth).expect(200)).body
        .items.length,
      all.length,
    );
  });
});

describe('view counts on a large queue', () => {
  let t: TestApp;
  let mia: { user: TestUser; auth: Record<string, string> };
  before(async () => {
    t = await createTestApp();
    mia = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Mia' });
    // More unassigned open tickets than the list counts exactly, and two of Mia's.
    await t.ctx.db.pool.query(
      `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, category, status,
         created_at, updated_at, assigned_to_id)
       SELECT gen_random_uuid(), 'CONT-BULK-' || g, 'N', 'n@example.com', 'S', 'M', 'general', 'pending',
         now() - g * interval '1 second', now(), CASE WHEN g <= 2 THEN $2::uuid END
       FROM generate_series(1, $1::int) g`,
      [TOTAL_COUNT_CAP + 3, mia.user.id],
    );
  });
  after(() => t?.close());

  test('when a view holds more tickets than the cap, then its count is the cap and marked capped, like the list total', async () => {
    const items = (await request(t.app).get('/api/v1/views').set(mia.auth).expect(200)).body.items as Array<{
      id: string;
      count: number;
      count_capped: boolean;
    }>;
    const byId = Object.fromEntries(items.map((v) => [v.id, v]));
    assert.deepEqual([byId.unassigned!.count, byId.unassigned!.count_capped], [TOTAL_COUNT_CAP, true]);
    assert.deepEqual([byId['my-open']!.count, byId['my-open']!.count_capped], [2, false]);
    const list = await request(t.app).get('/api/v1/contact/').query({ view: 'unassigned' }).set(mia.auth).expect(200);
    assert.deepEqual([list.body.total, list.body.total_capped], [TOTAL_COUNT_CAP, true]);
  });
});

describe('pages of a list sorted by an enum or person column', () => {
  let t: TestApp;
  let mia: { user: TestUser; auth: Record<string, string> };
  before(async () => {
    t = await createTestApp();
    mia = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Mia' });
    // Assignees: two people of the same name (ties broken by age, as in one range), and nobody.
    const zoe = (await createUserWithToken(t.ctx, { role: 'moderator', name: 'Zoe' })).user.id;
    const zoe2 = (await createUserWithToken(t.ctx, { role: 'moderator', name: 'Zoe' })).user.id;
    const abe = (await createUserWithToken(t.ctx, { role: 'admin', name: 'Abe' })).user.id;
    const assignees = [mia.user.id, null, zoe, zoe2, abe, null, zoe2, mia.user.id];
    const priorities = ['low', 'urgent', 'normal', 'high', 'normal', 'low', 'urgent', 'normal'];
    const categories = ['general', 'bug', 'feature', 'account', 'general', 'bug', 'general', 'feature'];
    for (const [i, priority] of priorities.entries()) {
      const { id } = await createTicket(t.ctx, { name: `T${i}`, category: categories[i] as never });
      // Distinct creation times and a mix of statuses (one archived: left out unless asked for).
      await t.ctx.db.pool.query(
        `UPDATE contact_submissions SET priority = $2, created_at = now() - $3 * interval '1 minute',
           status = (ARRAY['pending', 'in_progress', 'resolved', 'archived', 'pending', 'resolved', 'in_progress', 'pending'])[$4]::"TicketStatus",
           assigned_to_id = $5
         WHERE id = $1`,
        [id, priority, i, i + 1, assignees[i]],
      );
    }
  });
  after(() => t?.close());

  test('when pages of three are read in each enum or person ordering, then together they are the whole list in that order', async () => {
    for (const field of ['priority', 'status', 'category', 'assigned_to_id']) {
      // A person sorts by name, nobody last either way.
      const sortKey = field === 'assigned_to_id' ? '(SELECT u.name FROM users u WHERE u.id = assigned_to_id)' : field;
      const nulls = field === 'assigned_to_id' ? ' NULLS LAST' : '';
      for (const ordering of [field, `-${field}`]) {
        for (const extra of [{}, { include_archived: 'true' }, { status: ['pending', 'in_progress'] }]) {
          const page = async (n: number, size: number) =>
            (
              (
                await request(t.app)
                  .get('/api/v1/contact/')
                  .query({ ordering, page: String(n), page_size: String(size), ...extra })
                  .set(mia.auth)
                  .expect(200)
              ).body.items as Array<{ id: string }>
            ).map((x) => x.id);
          const status = (extra as { status?: string[] }).status ?? null;
          const { rows } = await t.ctx.db.pool.query<{ id: string }>(
            `SELECT id FROM contact_submissions
             WHERE ($1::text[] IS NULL OR status::text = ANY($1)) AND ($2 OR $1 IS NOT NULL OR status <> 'archived')
             ORDER BY ${sortKey} ${ordering.startsWith('-') ? 'DESC' : 'ASC'}${nulls}, created_at DESC, id DESC`,
            [status, 'include_archived' in extra],
          );
          const paged = [...(await page(1, 3)), ...(await page(2, 3)), ...(await page(3, 3))];
          assert.deepEqual(
            paged,
            rows.map((r) => r.id),
            `${ordering} ${JSON.stringify(extra)}`,
          );
        }
      }
    }
  });
});

// "Erase this person" end to end with real parts: tickets through the public API (one with a
// file), confirmation and reply mails through the real worker and SMTP, the customer's email reply
// through the inbound pipeline, staff replies and notes naming them, a rating, a CSV export
// filtered by their address, an access export, a failed login, a queued job naming them. Then the
// erasure through REST and the real worker, and a real pg_dump of the database searched for them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { readTicketCounts } from '../../src/contact/ticket-counts.js';
import { postStaffMessage } from '../../src/conversation/conversation.service.js';
import { createTicket, createUser, createUserWithToken, type TestUser } from '../helpers/factories.js';
import {
  deliver,
  fixture,
  inboundTestEnv,
  submitTicket,
  waitForQueueDrained,
  type MailTestEnv,
} from '../inbound/inbound-setup.js';
import { assertNotInDump, dumpDatabase, erasureState, waitErasureDone } from './privacy-setup.js';

const NAME = 'Zelda Quuxworth';
const EMAIL = 'zelda.quuxworth@example.org';
const NEEDLES = [
  EMAIL,
  'Zelda',
  'Quuxworth',
  'Cara Customer',
  '1Z999AA10123456784',
  'parcel still has not',
  'ZQ subject alpha',
  'purple giraffe',
  'ZQ-FILE-CONTENT-7781',
  'ZQBrowser/9.9',
  'tangerine remark',
];

describe('privacy: erasure of a person', () => {
  let env: MailTestEnv;
  let admin: TestUser;
  let auth: Record<string, string>;
  let moderator: TestUser;
  before(async () => {
    env = await inboundTestEnv();
    ({ user: admin, auth } = await createUserWithToken(env.ctx, { role: 'admin' }));
    moderator = await createUser(env.ctx, { role: 'moderator' });
  });
  after(() => env.close());

  test('when a person with tickets, replies, files and mails is erased, then pg_dump holds none of it, staff replies stay redacted, counts stay and the audit trail records it', async (t) => {
    const { ctx } = env;
    // Ticket A: the web form with a file whose name and bytes are theirs.
    const a = await request(env.t.app)
      .post('/api/v1/contact/submit')
      .set('User-Agent', 'ZQBrowser/9.9 (zelda)')
      .field({ name: NAME, email: EMAIL, subject: 'ZQ subject alpha', message: 'My purple giraffe invoice is wrong.' })
      .attach('attachments', Buffer.from('ZQ-FILE-CONTENT-7781 scan of my passport\n'), {
        filename: 'zelda-quuxworth-passport.txt',
        contentType: 'text/plain',
      })
      .expect(201);
    // Ticket B: JSON submit (confirmation mailed), then their email reply through the inbound pipeline.
    const b = await submitTicket(env, EMAIL, 'Where is my parcel', NAME);
    const reply = await deliver(env, fixture('gmail-reply', b.vars), { envelopeFrom: EMAIL });
    assert.equal(reply.status, 'processed');
    assert.equal(reply.ticket_id, b.id);
    // Staff write about them (the reply is mailed to them through SMTP).
    await postStaffMessage(
      ctx,
      moderator,
      b.id,
      {
        kind: 'reply',
        body: `Hello Zelda,\nwe found the parcel, ${NAME}. Write to ${EMAIL} if not.\n> quoted: parcel still has not arrived`,
      },
      { source: 'api' },
    );
    await postStaffMessage(
      ctx,
      moderator,
      a.body.id,
      { kind: 'note', body: 'Called Zelda Quuxworth about it.' },
      { source: 'api' },
    );
    await ctx.db.pool.query(`UPDATE contact_submissions SET admin_notes = 'VIP: Zelda' WHERE id = $1`, [a.body.id]);
    await ctx.db.pool.query(
      `INSERT INTO ticket_ratings (ticket_id, resolved_at, score, comment) VALUES ($1, now(), 'bad', 'A tangerine remark')`,
      [b.id],
    );
    await waitForQueueDrained(ctx);
    assert.ok(env.sink.to(EMAIL).length >= 2, 'confirmation and reply were mailed to them');
    // Traces outside their tickets: a CSV export and an access export naming them, a failed
    // login with their address, a job queued for later with their address in its payload.
    await request(env.t.app).get('/api/v1/contact/export.csv').query({ q: EMAIL }).set(auth).expect(200);
    await request(env.t.app).get('/api/v1/privacy/export').query({ email: EMAIL }).set(auth).expect(200);
    await request(env.t.app).post('/api/v1/auth/token').send({ email: EMAIL, password: 'not their password' });
    await ctx.db.pool.query(
      `SELECT graphile_worker.add_job('portal_find_tickets', json_build_object('email', $1::text), run_at := now() + interval '1 hour')`,
      [EMAIL],
    );
    // A webhook delivery about their ticket, as src/webhooks stores it (payload as sent, receiver's answer).
    const endpoint = await ctx.db.pool.query<{ id: string }>(
      `INSERT INTO webhook_endpoints (url, events, secret, active) VALUES ('https://hooks.example.net/in', '{ticket.created}', 'whsec_test', false)
       RETURNING id`,
    );
    await ctx.db.pool.query(
      `INSERT INTO webhook_deliveries (event_id, endpoint_id, event_type, ticket_id, payload, status, response_body)
       VALUES (gen_random_uuid(), $1, 'ticket.created', $2, $3, 'delivered', $4)`,
      [
        endpoint.rows[0]!.id,
        a.body.id,
        JSON.stringify({
          type: 'ticket.created',
          timestamp: new Date().toISOString(),
          data: { name: NAME, email: EMAIL },
        }),
        `ok, got ${EMAIL}`,
      ],
    );
    // They also have a customer account (role user) under the same address.
    await createUser(ctx, { role: 'user', email: EMAIL, name: NAME });
    // Someone else's ticket, which must stay as it is.
    const other = await createTicket(ctx, {
      name: 'Otto Control',
      email: 'otto@example.net',
      message: 'Control text stays.',
    });

    const before = await ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM contact_submissions');
    const countsBefore = await readTicketCounts(ctx.db);
    const dumpBefore = await dumpDatabase(ctx, env.t.database.url);
    // Every needle is found before (as text or bytea hex), so their absence afterwards means something.
    const lowerBefore = dumpBefore.text.toLowerCase();
    for (const n of NEEDLES) {
      const hex = Buffer.from(n, 'utf8').toString('hex');
      assert.ok(lowerBefore.includes(n.toLowerCase()) || lowerBefore.includes(hex), `the dump holds "${n}" before`);
    }

    const res = await request(env.t.app).post('/api/v1/privacy/erasures').set(auth).send({ email: EMAIL }).expect(202);
    const id = res.body.erasure.id as string;
    assert.equal(res.body.erasure.email, EMAIL);
    // Asking again while it runs answers with the same request.
    const again = await request(env.t.app)
      .post('/api/v1/privacy/erasures')
      .set(auth)
      .send({ email: EMAIL.toUpperCase() });
    if (again.status === 200) assert.equal(again.body.erasure.id, id);
    else assert.equal(again.status, 202, 'a second request only after the first finished');
    const state = await waitErasureDone(ctx, id);
    await waitForQueueDrained(ctx);

    const dump = await dumpDatabase(ctx, env.t.database.url);
    t.diagnostic(`dumped with ${dump.tool}`);
    assertNotInDump(dump.text, NEEDLES);

    // Staff replies stay, with the person redacted; quoted lines go.
    const thread = await ctx.db.pool.query<{ kind: string; body_text: string; author_email: string }>(
      `SELECT kind::text AS kind, body_text, author_email FROM ticket_messages WHERE ticket_id = $1 ORDER BY created_at`,
      [b.id],
    );
    const staff = thread.rows.find((m) => m.kind === 'reply')!;
    assert.equal(staff.body_text, 'Hello [erased],\nwe found the parcel, [erased]. Write to [erased] if not.\n');
    assert.equal(staff.author_email, moderator.email);
    assert.equal(thread.rows.find((m) => m.kind === 'customer')!.body_text, '[erased]');

    // Counts and stats stay true: the tickets are still there, in the same status / category.
    const afterCount = await ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM contact_submissions');
    assert.equal(afterCount.rows[0]!.n, before.rows[0]!.n);
    assert.deepEqual(await readTicketCounts(ctx.db), countsBefore);
    const kept = await ctx.db.pool.query('SELECT name, email, message FROM contact_submissions WHERE id = $1', [
      other.id,
    ]);
    assert.deepEqual(kept.rows[0], { name: 'Otto Control', email: 'otto@example.net', message: 'Control text stays.' });

    // The audit trail records the erasure: by whom, when, how many rows.
    assert.equal(state.email, null);
    assert.equal(state.requested_by_id, admin.id);
    assert.equal(state.tickets_total, 2);
    assert.equal(state.rows_redacted.contact_submissions, 2);
    assert.ok((state.rows_redacted.attachments ?? 0) >= 1 && (state.rows_redacted.inbound_mails ?? 0) >= 1);
    const redactions = await ctx.db.pool.query<{
      actor_id: string;
      source: string;
      ticket_events: number;
      attachment_events: number;
    }>(
      'SELECT actor_id, source, ticket_events, attachment_events FROM audit_redactions WHERE erasure_request_id = $1',
      [id],
    );
    assert.ok(redactions.rows.length >= 1);
    assert.ok(redactions.rows.every((r) => r.actor_id === admin.id && r.source === 'worker'));
    assert.ok(redactions.rows.reduce((n, r) => n + r.ticket_events, 0) >= 2);
    const events = await ctx.db.pool.query<{ actor_id: string; source: string; changed_fields: string[] }>(
      `SELECT actor_id, source, changed_fields FROM contact_submission_events WHERE ticket_id = $1 ORDER BY event_id DESC LIMIT 1`,
      [a.body.id],
    );
    assert.equal(events.rows[0]!.actor_id, admin.id);
    assert.equal(events.rows[0]!.source, 'worker');
    assert.ok(events.rows[0]!.changed_fields.includes('email'));
    const viaRest = await request(env.t.app).get(`/api/v1/privacy/erasures/${id}`).set(auth).expect(200);
    assert.equal(viaRest.body.erasure.status, 'done');
    assert.equal((await erasureState(ctx, id)).phase, 'done');
  });

  test('when anything but audit_redact() tries to change an audit row, then the append-only guard still refuses, even with the redaction flag forged', async () => {
    const client = await env.ctx.db.pool.connect();
    try {
      await assert.rejects(client.query(`UPDATE contact_submission_events SET name = 'x'`), /append-only/);
      await client.query('BEGIN');
      await client.query(`SELECT set_config('contactdesk.redacting', 'audit_redact', true)`);
      await assert.rejects(client.query(`UPDATE contact_submission_events SET name = 'x'`), /append-only/);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query(`SELECT set_config('contactdesk.redacting', 'erase_ticket_messages', true)`);
      await assert.rejects(client.query(`UPDATE ticket_messages SET body_text = 'x'`), /not edited/);
      await client.query('ROLLBACK');
      await assert.rejects(client.query(`DELETE FROM audit_redactions`), /append-only/);
    } finally {
      client.release();
    }
  });
});

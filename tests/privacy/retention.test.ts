// Retention with a test clock: RETENTION_DAYS erases archived tickets untouched that long (through
// the erasure path, audit included) and nothing else; RAW_MAIL_DAYS clears old raw mails but keeps
// their rows and any mail not yet processed; both are on the worker's crontab and idempotent.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sweepCronItems } from '../../src/jobs/sweeps.js';
import { purgeRawMails, startRetentionErasure } from '../../src/privacy/retention.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket } from '../helpers/factories.js';
import { eraseToEnd, erasureState } from './privacy-setup.js';

const DAY = 24 * 3600 * 1000;

describe('privacy: retention', () => {
  let t: TestApp;
  const clock = new TestClock();
  before(async () => {
    t = await createTestApp({ clock, env: { RETENTION_DAYS: '30', RAW_MAIL_DAYS: '30' } });
  });
  after(() => t.close());

  const ticket = async (id: string) =>
    (
      await t.ctx.db.pool.query<{ name: string; email: string; status: string }>(
        'SELECT name, email, status::text AS status FROM contact_submissions WHERE id = $1',
        [id],
      )
    ).rows[0]!;

  test('when the clock passes RETENTION_DAYS, then only tickets archived that long are erased, audit trail included, and a second run erases nothing', async () => {
    const { ctx } = t;
    const old = await createTicket(ctx, { name: 'Olga Oldarchive', email: 'olga@example.org', message: 'Olga text' });
    const recent = await createTicket(ctx, { name: 'Rita Recent', email: 'rita@example.org' });
    const open = await createTicket(ctx, { name: 'Otis Open', email: 'otis@example.org' });
    await ctx.db.pool.query(`UPDATE contact_submissions SET status = 'archived' WHERE id = ANY ($1::uuid[])`, [
      [old.id, recent.id],
    ]);
    // "Recent" was last touched 10 days after the others.
    await ctx.db.pool.query(`UPDATE contact_submissions SET updated_at = now() + interval '10 days' WHERE id = $1`, [
      recent.id,
    ]);
    // Before the clock moves nothing is old enough: the night's run starts and finds no ticket.
    const early = await startRetentionErasure(ctx);
    assert.ok(early);
    await eraseToEnd(ctx, early);
    assert.equal((await erasureState(ctx, early)).tickets_total, 0);

    clock.set(new Date(Date.now() + 31 * DAY));
    const id = await startRetentionErasure(ctx);
    assert.ok(id);
    assert.equal(await startRetentionErasure(ctx), null, 'one open retention run at a time');
    await eraseToEnd(ctx, id);

    assert.deepEqual(await ticket(old.id), { name: '[erased]', email: 'erased@erased.invalid', status: 'archived' });
    assert.equal((await ticket(recent.id)).name, 'Rita Recent');
    assert.equal((await ticket(open.id)).name, 'Otis Open');
    const events = await ctx.db.pool.query(
      'SELECT 1 FROM contact_submission_events WHERE name ILIKE $1 OR message ILIKE $1',
      ['%Olga%'],
    );
    assert.equal(events.rowCount, 0, 'the audit snapshots lost her too');
    const state = await erasureState(ctx, id);
    assert.equal(state.status, 'done');
    assert.equal(state.tickets_total, 1);
    assert.equal(state.requested_by_id, null);
    const redactions = await ctx.db.pool.query<{ source: string }>(
      'SELECT source FROM audit_redactions WHERE erasure_request_id = $1',
      [id],
    );
    assert.deepEqual(
      redactions.rows.map((r) => r.source),
      ['worker'],
    );

    const second = await startRetentionErasure(ctx);
    assert.ok(second);
    await eraseToEnd(ctx, second);
    assert.equal((await erasureState(ctx, second)).tickets_total, 0, 'already erased tickets are not collected again');
    assert.equal(
      await startRetentionErasure({ ...ctx, config: { ...ctx.config, RETENTION_DAYS: undefined } }),
      null,
      'RETENTION_DAYS unset: retention is off',
    );
  });

  test('when raw mails are older than RAW_MAIL_DAYS, then their bytes go and their rows stay; newer and unprocessed ones keep them', async () => {
    const { ctx } = t;
    const insert = async (status: string, receivedAt: Date) => {
      const raw = Buffer.from(`From: someone@example.org\r\n\r\nraw ${status} ${receivedAt.toISOString()}`);
      const { rows } = await ctx.db.pool.query<{ id: string }>(
        `INSERT INTO inbound_mails (channel, raw, size, sha256, status, received_at)
         VALUES ('smtp', $1, $2, $3, $4::"InboundStatus", $5) RETURNING id`,
        [raw, raw.length, createHash('sha256').update(raw).digest('hex'), status, receivedAt],
      );
      return rows[0]!.id;
    };
    const now = clock.now().getTime();
    const oldDone = await insert('processed', new Date(now - 31 * DAY));
    const oldFailed = await insert('failed', new Date(now - 40 * DAY));
    const oldPending = await insert('received', new Date(now - 31 * DAY));
    const fresh = await insert('processed', new Date(now - 29 * DAY));

    assert.equal(await purgeRawMails(ctx), 2);
    const { rows } = await ctx.db.pool.query<{ id: string; bytes: number; purged: boolean }>(
      `SELECT id, octet_length(raw) AS bytes, raw_purged_at IS NOT NULL AS purged FROM inbound_mails WHERE id = ANY ($1::uuid[])`,
      [[oldDone, oldFailed, oldPending, fresh]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.deepEqual([byId.get(oldDone)!.bytes, byId.get(oldDone)!.purged], [0, true]);
    assert.deepEqual([byId.get(oldFailed)!.bytes, byId.get(oldFailed)!.purged], [0, true]);
    assert.ok(byId.get(oldPending)!.bytes > 0 && !byId.get(oldPending)!.purged);
    assert.ok(byId.get(fresh)!.bytes > 0 && !byId.get(fresh)!.purged);
    assert.equal(await purgeRawMails(ctx), 0, 'a second run finds nothing');
    assert.equal(await purgeRawMails({ ...ctx, config: { ...ctx.config, RAW_MAIL_DAYS: 0 } }), 0);
  });

  test('when a worker runs, then both retention tasks are on its crontab', () => {
    const tasks = sweepCronItems().map((i) => i.task);
    assert.ok(tasks.includes('privacy_retention') && tasks.includes('privacy_raw_mail_purge'));
  });
});

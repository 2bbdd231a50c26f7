// Inbound mail in the panel, logged in through the real login route: an admin finds a failed mail
// under the status filter, reads its error and retries it (back to `received`, its job queued
// again under the mail's key, as the REST retry does); a processed mail offers no retry and
// refuses one; a moderator is refused on every action.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storeInboundMail } from '../../src/inbound/inbound.store.js';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createUser } from '../helpers/factories.js';

const MAILS = '/admin/api/resources/inbound_mails';
const raw = (messageId: string) =>
  Buffer.from(`From: Cara <cara@example.com>\r\nTo: support@desk.test\r\nSubject: Hello\r\nMessage-ID: ${messageId}\r\n\r\nHi.\r\n`);

describe('panel inbound mail', () => {
  let t: TestApp;
  let adminAgent: PanelAgent;
  let modAgent: PanelAgent;
  let failed: string;
  let processed: string;

  before(async () => {
    t = await createPanelTestApp();
    adminAgent = await panelLogin(t.app, await createUser(t.ctx, { role: 'admin' }));
    modAgent = await panelLogin(t.app, await createUser(t.ctx, { role: 'moderator' }));
    // Arranged without a worker: one mail whose processing failed, one that was processed.
    failed = (await storeInboundMail(t.ctx, { raw: raw('<broken@example.com>'), channel: 'smtp' })).id;
    processed = (await storeInboundMail(t.ctx, { raw: raw('<fine@example.com>'), channel: 'imap' })).id;
    await t.ctx.db.pool.query(
      `UPDATE inbound_mails SET status = 'failed', attempts = 5, error = 'TypeError: cannot read the part (test)' WHERE id = $1`,
      [failed],
    );
    await t.ctx.db.pool.query(`UPDATE inbound_mails SET status = 'processed', outcome = 'new_ticket', attempts = 1 WHERE id = $1`, [
      processed,
    ]);
    await t.ctx.db.pool.query(`DELETE FROM graphile_worker._private_jobs`);
  });
  after(() => t.close());

  test('when an admin filters by Failed and retries the mail, then it is received again with its job queued', async () => {
    const list = await adminAgent.get(`${MAILS}/actions/list?filters.status=failed`).expect(200);
    assert.deepEqual(
      list.body.records.map((r: { params: Record<string, unknown> }) => [r.params.id, r.params.status, r.params.channel]),
      [[failed, 'failed', 'smtp']],
    );
    assert.equal(list.body.meta.total, 1);
    const all = await adminAgent.get(`${MAILS}/actions/list`).expect(200);
    assert.equal(all.body.meta.total, 2);

    const shown = await adminAgent.get(`${MAILS}/records/${failed}/show`).expect(200);
    assert.match(String(shown.body.record.params.error), /cannot read the part/);
    assert.equal(String(shown.body.record.params.messageId), '<broken@example.com>');
    assert.ok(shown.body.record.recordActions.some((a: { name: string }) => a.name === 'retry'), 'Retry is offered');

    const retried = await adminAgent.post(`${MAILS}/records/${failed}/retry`).expect(200);
    assert.equal(retried.body.notice.type, 'success');
    assert.equal(retried.body.record.params.status, 'received');
    const { rows } = await t.ctx.db.pool.query(
      `SELECT (SELECT status::text FROM inbound_mails WHERE id = $1) AS status,
         (SELECT count(*)::int FROM graphile_worker._private_jobs WHERE key = 'inbound:' || $1) AS jobs`,
      [failed],
    );
    assert.deepEqual(rows[0], { status: 'received', jobs: 1 });
  });

  test('when a mail was processed, then Retry is not offered and a retry is refused with the reason', async () => {
    const shown = await adminAgent.get(`${MAILS}/records/${processed}/show`).expect(200);
    assert.equal(shown.body.record.recordActions.some((a: { name: string }) => a.name === 'retry'), false);
    const res = await adminAgent.post(`${MAILS}/records/${processed}/retry`).expect(200);
    assert.equal(res.body.notice.type, 'error');
    assert.match(res.body.notice.message, /already processed/);
    const { rows } = await t.ctx.db.pool.query(`SELECT status::text AS status FROM inbound_mails WHERE id = $1`, [processed]);
    assert.equal(rows[0].status, 'processed');
  });

  test('when a moderator calls the inbound mail actions, then every one is refused and shows nothing', async () => {
    for (const [method, path] of [
      ['get', `${MAILS}/actions/list`],
      ['get', `${MAILS}/records/${failed}/show`],
      ['post', `${MAILS}/records/${failed}/retry`],
    ] as const) {
      const res = await modAgent[method](path);
      if (res.status === 403) assert.equal(res.body.error.code, 'forbidden');
      else assert.equal(res.body.notice?.type, 'error', `${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.equal(res.text.includes('broken@example.com'), false, 'no mail data shown');
    }
  });
});

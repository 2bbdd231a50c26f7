// The SLA cron tasks with a test clock, against real PostgreSQL and a real SMTP sink: alerts
// before and at breach (once each, to the assignee or else the admins), the auto-archive after
// AUTO_ARCHIVE_DAYS (audited as `system`; 0 = never) and the morning digest (at DIGEST_HOUR in
// the calendar's zone, once per moderator and day, not to those who opted out).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runTicketAction } from '../../src/contact/contact.service.js';
import { startWorker } from '../../src/jobs/worker.js';
import { autoArchiveResolved } from '../../src/sla/auto-archive.js';
import { sendDigests } from '../../src/sla/digest.js';
import { sweepSlaAlerts } from '../../src/sla/sla.jobs.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';
import { waitForQueueDrained } from '../mail/mail-setup.js';

const DAY = 86_400_000;

describe('SLA cron tasks', () => {
  const clock = new TestClock('2026-03-02T09:00:00+01:00'); // Monday 09:00 Berlin
  let t: TestApp;
  let sink: SmtpSink;
  let mod: TestUser;
  let admin: TestUser;
  let optedOut: TestUser;

  before(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({
      clock,
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Desk <desk@contactdesk.test>', SLA_WARN_MINUTES: '30', DIGEST_HOUR: '8' },
    });
    mod = await createUser(t.ctx, { role: 'moderator', name: 'Mo Derator' });
    admin = await createUser(t.ctx, { role: 'admin' });
    optedOut = await createUser(t.ctx, { role: 'moderator' });
    await t.ctx.db.pool.query('UPDATE users SET digest_opt_out = true WHERE id = $1', [optedOut.id]);
  });
  after(async () => {
    await t.close();
    await sink.stop();
  });

  const alerts = async () =>
    (
      await t.ctx.db.pool.query<{ kind: string; recipient: string; sla_target: string; ticket_id: string }>(
        `SELECT kind::text, recipient, sla_target, ticket_id FROM email_deliveries
         WHERE kind IN ('sla_warning', 'sla_breach') ORDER BY created_at, kind, recipient`,
      )
    ).rows;

  let assigned: string;
  let unassigned: string;

  test('when a first response is due in 25 minutes, then the assignee is warned once; at breach once more', async () => {
    assigned = (await createTicket(t.ctx, { subject: 'Assigned one' })).id; // normal: first response by 17:00
    await runTicketAction(t.ctx, mod, assigned, 'assign_to_me', {}, { source: 'api' });
    clock.set('2026-03-02T12:00:00+01:00');
    assert.equal(await sweepSlaAlerts(t.ctx), 0);
    clock.set('2026-03-02T16:35:00+01:00');
    assert.equal(await sweepSlaAlerts(t.ctx), 1);
    assert.equal(await sweepSlaAlerts(t.ctx), 0, 'a second run sends nothing');
    clock.set('2026-03-02T17:01:00+01:00');
    assert.equal(await sweepSlaAlerts(t.ctx), 1);
    assert.equal(await sweepSlaAlerts(t.ctx), 0);
    assert.deepEqual(
      (await alerts()).map((a) => [a.kind, a.recipient, a.sla_target]),
      [
        ['sla_warning', mod.email, 'first_response'],
        ['sla_breach', mod.email, 'first_response'],
      ],
    );
  });

  test('when an unassigned ticket breaches with the warning window missed, then the admins get only the breach', async () => {
    clock.set('2026-03-03T09:00:00+01:00');
    unassigned = (await createTicket(t.ctx, { subject: 'Nobody has it' })).id;
    clock.set('2026-03-03T17:10:00+01:00');
    await sweepSlaAlerts(t.ctx);
    const mine = (await alerts()).filter((a) => a.ticket_id === unassigned);
    assert.deepEqual(
      mine.map((a) => [a.kind, a.recipient]),
      [['sla_breach', admin.email]],
    );
  });

  test('when a resolved ticket is older than AUTO_ARCHIVE_DAYS, then the sweep archives it as source system', async () => {
    const old = (await createTicket(t.ctx, { subject: 'Old and done' })).id;
    await runTicketAction(t.ctx, mod, old, 'resolve', {}, { source: 'api' });
    clock.advance(29 * DAY);
    assert.equal(await autoArchiveResolved(t.ctx), 0);
    const never = { ...t.ctx, config: { ...t.ctx.config, AUTO_ARCHIVE_DAYS: 0 } };
    clock.advance(2 * DAY);
    assert.equal(await autoArchiveResolved(never), 0, 'AUTO_ARCHIVE_DAYS=0 never archives');
    assert.equal(await autoArchiveResolved(t.ctx), 1);
    const { rows } = await t.ctx.db.pool.query(
      `SELECT t.status::text, e.source::text, e.actor_id FROM contact_submissions t
       JOIN contact_submission_events e ON e.ticket_id = t.id AND 'status' = ANY(e.changed_fields) AND e.status = 'archived'
       WHERE t.id = $1`,
      [old],
    );
    assert.deepEqual(rows, [{ status: 'archived', source: 'system', actor_id: null }]);
    assert.equal(await autoArchiveResolved(t.ctx), 0);
  });

  test('when the morning comes, then each moderator gets one digest (none before 08:00, none when opted out)', async () => {
    clock.set('2026-03-04T07:55:00+01:00');
    const fresh = await createTicket(t.ctx, { subject: 'Fresh unassigned' });
    assert.equal(await sendDigests(t.ctx), 0);
    clock.set('2026-03-04T08:05:00+01:00');
    // The moderator has their ticket; the admin (no ticket of their own) the new unassigned ones.
    assert.equal(await sendDigests(t.ctx), 2);
    clock.set('2026-03-04T08:15:00+01:00');
    assert.equal(await sendDigests(t.ctx), 0, 'once per day');
    const { rows } = await t.ctx.db.pool.query(
      `SELECT recipient FROM email_deliveries WHERE kind = 'moderator_digest' ORDER BY recipient`,
    );
    assert.deepEqual(rows.map((r) => r.recipient).sort(), [admin.email, mod.email].sort());

    // The worker sends everything queued so far through the real SMTP sink.
    const worker = await startWorker(t.ctx, { concurrency: 2 });
    try {
      await waitForQueueDrained(t.ctx);
    } finally {
      await worker.stop();
    }
    const digest = sink.to(mod.email).find((m) => /morning digest/.test(m.parsed.subject ?? ''))!;
    assert.ok(digest, 'the moderator got a digest');
    const text = digest.parsed.text ?? '';
    assert.match(text, /Good morning Mo Derator/);
    assert.match(text, /Your open tickets \(1\):\n- \S+ · Assigned one · Breached/);
    // Since yesterday 08:05: the one opened yesterday at 09:00 and this morning's.
    assert.match(text, /New unassigned tickets, last 24 hours \(2\):/);
    assert.match(text, new RegExp(`- ${fresh.ticketNumber} · Fresh unassigned`));
    assert.doesNotMatch(text, /Ticket \S+ - please keep/, 'the footer names no ticket');
    assert.equal(sink.to(optedOut.email).length, 0);

    const warning = sink.to(mod.email).find((m) => /SLA due/.test(m.parsed.subject ?? ''))!;
    assert.match(warning.parsed.subject ?? '', /\(first response, .* ago\): Assigned one/);
    assert.match(warning.parsed.text ?? '', /Due: +Mon 2 Mar 2026, 17:00 \(Europe\/Berlin\)/);
    const breach = sink.to(admin.email).find((m) => /SLA breached/.test(m.parsed.subject ?? ''))!;
    assert.match(breach.parsed.text ?? '', /SLA breached: the first response target of ticket/);
  });
});

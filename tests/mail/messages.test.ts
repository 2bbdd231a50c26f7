import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { AddressObject } from 'mailparser';
import type { Actor } from '../../src/auth/actor.js';
import { runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
import { bulkTicketAction } from '../../src/contact/contact.bulk.js';
import { createUser } from '../helpers/factories.js';
import type { ReceivedMail } from '../helpers/smtp.js';
import { testConfig } from '../helpers/app.js';
import { submitContact } from '../../src/contact/contact.service.js';
import { deliveriesOf, mailTestEnv, waitForQueueDrained, waitUntil, type MailTestEnv } from './mail-setup.js';

const first = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value[0];
// Our signed Message-ID: <cd.<delivery id hex>.<signature>@<MAIL_FROM domain>>.
const UUID_MESSAGE_ID = /^<cd\.[0-9a-f]{32}\.[0-9a-f]{16}@contactdesk\.test>$/;

describe('ticket emails: recipients, headers and bodies', () => {
  let env: MailTestEnv;
  let moderator: Actor;
  const admins: string[] = [];

  before(async () => {
    env = await mailTestEnv();
    for (const name of ['Ada Admin', 'Bo Admin'])
      admins.push((await createUser(env.ctx, { role: 'admin', name })).email);
    await createUser(env.ctx, { role: 'admin', email: 'retired-admin@example.com', isActive: false });
    moderator = await createUser(env.ctx, { role: 'moderator', email: 'mod@example.com' });
  });
  after(() => env.close());

  async function submitAndReceive(body: Record<string, string>, expected: number) {
    const before = env.sink.messages.length;
    const res = await request(env.t.app).post('/api/v1/contact/submit').send(body).expect(201);
    const all = await env.sink.waitFor(before + expected);
    return {
      ticket: res.body,
      received: all.slice(before).filter((m) => m.parsed.subject?.includes(res.body.ticket_number)),
    };
  }

  test('when a visitor submits, then the confirmation reaches them with the ticket number, subject, message copy and response time', async () => {
    const { ticket, received } = await submitAndReceive(
      { name: 'Ann Lee', email: 'ann@example.com', subject: 'Printer on fire', message: 'It smokes.\nPlease help.' },
      3,
    );
    const mail = received.find((m) => m.envelope.to.includes('ann@example.com'));
    assert.ok(mail, 'no confirmation for the submitter');
    assert.deepEqual(mail.envelope, { from: 'support@contactdesk.test', to: ['ann@example.com'] });
    assert.deepEqual(first(mail.parsed.from), { address: 'support@contactdesk.test', name: 'ContactDesk Support' });
    assert.deepEqual(first(mail.parsed.to), { address: 'ann@example.com', name: 'Ann Lee' });
    // "Reply to this email" reaches the ticket: its signed plus-address on INBOUND_ADDRESS.
    assert.match(String(first(mail.parsed.replyTo)?.address), /^support\+t[0-9a-f]{48}@desk\.test$/);
    assert.equal(mail.parsed.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(mail.parsed.headers.get('x-auto-response-suppress'), 'All');
    assert.equal(mail.parsed.subject, `[${ticket.ticket_number}] We received your message: Printer on fire`);
    for (const part of [mail.parsed.html as string, mail.parsed.text!]) {
      assert.ok(part.includes(ticket.ticket_number), 'ticket number missing');
      assert.ok(part.includes('Printer on fire'), 'subject missing');
      assert.ok(part.includes('It smokes.\nPlease help.'), 'message copy missing');
      assert.ok(part.includes('within 2 business days'), 'response time missing');
      assert.ok(part.includes('Hello Ann Lee'), 'greeting missing');
    }
    assert.match(mail.parsed.messageId!, UUID_MESSAGE_ID);
    const row = await waitUntil(async () => {
      const r = (await deliveriesOf(env.ctx, ticket.id)).find((d) => d.kind === 'contact_confirmation');
      return r?.status === 'sent' && r;
    }, 'the confirmation is recorded as sent');
    assert.equal(row.attempts, 1);
    assert.equal(row.message_id, mail.parsed.messageId);
    assert.ok(row.sent_at instanceof Date);
  });

  test('when a visitor submits, then every active admin (and nobody else) gets the alert with a link, an excerpt and Reply-To the submitter', async () => {
    const message = `First line\nSecond line\n${'x'.repeat(600)}TAIL-MARKER`;
    const { ticket, received } = await submitAndReceive(
      { name: 'Cy Dee', email: 'cy@example.com', subject: 'Bulk export', message, category: 'feature' },
      3,
    );
    const alerts = received.filter((m) => !m.envelope.to.includes('cy@example.com'));
    assert.deepEqual(alerts.map((m) => m.envelope.to[0]).sort(), [...admins].sort());
    const link = `http://localhost:3000/admin/resources/tickets/records/${ticket.id}/show`;
    for (const mail of alerts) {
      assert.equal(mail.envelope.to.length, 1);
      assert.equal(mail.parsed.subject, `[${ticket.ticket_number}] New feature submission: Bulk export`);
      assert.deepEqual(first(mail.parsed.from), { address: 'support@contactdesk.test', name: 'ContactDesk Support' });
      assert.deepEqual(first(mail.parsed.replyTo), { address: 'cy@example.com', name: 'Cy Dee' });
      const html = mail.parsed.html as string;
      assert.ok(html.includes(`href="${link}"`), 'panel link missing from HTML');
      assert.ok(mail.parsed.text!.includes(link), 'panel link missing from text');
      for (const part of [html, mail.parsed.text!]) {
        for (const value of [
          ticket.ticket_number,
          'feature',
          'Cy Dee',
          'cy@example.com',
          'Bulk export',
          'First line\nSecond line',
        ])
          assert.ok(part.includes(value), `${value} missing`);
        assert.ok(!part.includes('TAIL-MARKER'), 'excerpt is not an excerpt');
      }
    }
    const confirmation = received.find((m) => m.envelope.to.includes('cy@example.com'))!;
    assert.ok(confirmation.parsed.text!.includes('TAIL-MARKER'), 'the submitter gets the whole message');
  });

  test('when ADMIN_NOTIFY_EMAILS is set, then the alert goes to those addresses instead of the admins', async () => {
    const config = testConfig({ ADMIN_NOTIFY_EMAILS: 'ops@example.com, oncall@example.com' }, env.t.database.url);
    const before = env.sink.messages.length;
    const ticket = await submitContact(
      { ...env.ctx, config },
      { name: 'Eve', email: 'eve@example.com', subject: 'Routing', message: 'Who gets this?', category: 'general' },
      { actor: null, ip: null, userAgent: null },
    );
    const received = (await env.sink.waitFor(before + 3)).slice(before);
    assert.deepEqual(received.map((m) => m.envelope.to[0]).sort(), [
      'eve@example.com',
      'oncall@example.com',
      'ops@example.com',
    ]);
    // The row is marked right after the server's accept, which the sink reports a moment earlier.
    const rows = await waitUntil(async () => {
      const r = await deliveriesOf(env.ctx, ticket.id);
      return r.every((d) => d.status === 'sent') && r;
    }, 'every delivery is recorded as sent');
    assert.deepEqual(
      rows.map((r) => `${r.kind}:${r.recipient}:${r.status}`),
      [
        'contact_admin_notification:oncall@example.com:sent',
        'contact_admin_notification:ops@example.com:sent',
        'contact_confirmation:eve@example.com:sent',
      ],
    );
  });

  test('when a moderator resolves a ticket with notes, then the submitter gets the resolution mail with the notes and thanks', async () => {
    const { ticket } = await submitAndReceive(
      { name: 'Gus', email: 'gus@example.com', subject: 'Refund', message: 'Where is it?' },
      3,
    );
    const before = env.sink.messages.length;
    await runTicketAction(
      env.ctx,
      moderator,
      ticket.id,
      'resolve',
      { resolutionNotes: 'Refund sent on Monday.\nRef 42.' },
      { source: 'api' },
    );
    const [mail] = (await env.sink.waitFor(before + 1)).slice(before) as [ReceivedMail];
    assert.deepEqual(mail.envelope.to, ['gus@example.com']);
    assert.deepEqual(first(mail.parsed.to), { address: 'gus@example.com', name: 'Gus' });
    assert.deepEqual(first(mail.parsed.from), { address: 'support@contactdesk.test', name: 'ContactDesk Support' });
    assert.equal(mail.parsed.subject, `[${ticket.ticket_number}] Your request has been resolved: Refund`);
    for (const part of [mail.parsed.html as string, mail.parsed.text!]) {
      assert.ok(part.includes('Refund sent on Monday.\nRef 42.'), 'resolution notes missing');
      assert.ok(part.includes('Resolution notes'), 'notes heading missing');
      assert.ok(part.includes('Thank you'), 'thanks missing');
      assert.ok(part.includes(ticket.ticket_number), 'ticket number missing');
    }
  });

  test('when a ticket is resolved, reopened and resolved again, then the resolution mail is sent once (the first resolution only)', async () => {
    const { ticket } = await submitAndReceive(
      { name: 'Hal', email: 'hal@example.com', subject: 'Login', message: 'Locked out' },
      3,
    );
    const before = env.sink.messages.length;
    await runTicketAction(env.ctx, moderator, ticket.id, 'resolve', {}, { source: 'api' });
    const [mail] = (await env.sink.waitFor(before + 1)).slice(before) as [ReceivedMail];
    assert.ok(!mail.parsed.text!.includes('Resolution notes'), 'no notes → no notes section');
    assert.ok(mail.parsed.text!.includes('Thank you'));
    await runTicketAction(env.ctx, moderator, ticket.id, 'reopen', {}, { source: 'api' });
    await runTicketAction(
      env.ctx,
      moderator,
      ticket.id,
      'resolve',
      { resolutionNotes: 'Second time' },
      { source: 'api' },
    );
    await waitForQueueDrained(env.ctx);
    assert.equal(env.sink.to('hal@example.com').filter((m) => m.parsed.subject?.includes('resolved')).length, 1);
    const resolved = (await deliveriesOf(env.ctx, ticket.id)).filter((d) => d.kind === 'contact_resolved');
    assert.equal(resolved.length, 1);
    assert.equal(resolved[0]!.attempts, 1);
  });
  test('when tickets are resolved through the edit path and the bulk action, then each submitter gets one resolution mail', async () => {
    const a = await submitAndReceive({ name: 'Ida', email: 'ida@example.com', subject: 'Edit', message: 'm' }, 3);
    const b = await submitAndReceive({ name: 'Jo', email: 'jo@example.com', subject: 'Bulk 1', message: 'm' }, 3);
    const c = await submitAndReceive({ name: 'Kim', email: 'kim@example.com', subject: 'Bulk 2', message: 'm' }, 3);
    await updateTicket(env.ctx, moderator, a.ticket.id, { status: 'resolved' }, { source: 'admin' });
    const bulk = await bulkTicketAction(
      env.ctx,
      moderator,
      [b.ticket.id, c.ticket.id, a.ticket.id],
      'resolve',
      { resolutionNotes: 'Done in bulk' },
      { source: 'admin' },
    );
    assert.equal(bulk.changed.length, 2, 'the already resolved ticket is skipped');
    await waitForQueueDrained(env.ctx);
    for (const email of ['ida@example.com', 'jo@example.com', 'kim@example.com']) {
      const resolved = env.sink.to(email).filter((m) => m.parsed.subject?.includes('has been resolved'));
      assert.equal(resolved.length, 1, email);
    }
    const bulkMail = env.sink.to('kim@example.com').find((m) => m.parsed.subject?.includes('has been resolved'))!;
    assert.ok(bulkMail.parsed.text!.includes('Done in bulk'));
  });
});

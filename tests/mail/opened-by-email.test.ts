// The confirmation of a ticket opened BY EMAIL answers the customer's own mail: it carries their
// Message-ID in In-Reply-To and References, so their mail client files it under their mail.
// Real parts only: nodemailer sends the customer's mail into the built-in SMTP receiver, the real
// worker processes it and sends the confirmation to a real SMTP sink, whose parsed copy is checked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import request from 'supertest';
import { startSmtpReceiver, type SmtpReceiver } from '../../src/inbound/smtp-receiver.js';
import { createUserWithToken } from '../helpers/factories.js';
import type { ReceivedMail } from '../helpers/smtp.js';
import { inboundTestEnv, submitTicket, waitUntil, type MailTestEnv } from '../inbound/inbound-setup.js';

describe('confirmation of a ticket opened by email', () => {
  let env: MailTestEnv;
  let receiver: SmtpReceiver;

  before(async () => {
    env = await inboundTestEnv();
    receiver = await startSmtpReceiver(env.ctx, { port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await receiver.stop();
    await env.close();
  });

  // Loopback has no trusted certificate: plain SMTP (as in tests/inbound/smtp-receiver.test.ts).
  const customerSends = (mail: SendMailOptions) =>
    nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, ignoreTLS: true }).sendMail(mail);

  const confirmationTo = (address: string, ticketNumberLike = /\[CONT-\d{8}-\d{4,}\]/) =>
    waitUntil(
      async () =>
        env.sink
          .to(address)
          .find((m) => ticketNumberLike.test(m.parsed.subject ?? '') && /received/i.test(m.parsed.subject ?? '')),
      `a confirmation reached ${address}`,
    );

  /** The raw header lines (unfolded), to check what went over the wire and not just mailparser's view. */
  const header = (mail: ReceivedMail, name: string) =>
    mail.raw
      .split(/\r?\n\r?\n/)[0]!
      .replace(/\r?\n[ \t]+/g, ' ')
      .split(/\r?\n/)
      .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
      .map((l) => l.slice(name.length + 1).trim());

  test('when a new customer mail opens a ticket, then its confirmation has In-Reply-To and References = their Message-ID', async () => {
    const messageId = '<first-contact-7f3a@mail.example.org>';
    const info = await customerSends({
      from: 'Nina New <nina.opened@example.org>',
      to: 'support@desk.test',
      subject: 'Do the jackets come in XXL?',
      text: 'Hello,\n\ndo the jackets come in size XXL?\n\nThanks,\nNina\n',
      messageId,
    });
    assert.match(info.response, /^250 /);

    const confirmation = await confirmationTo('nina.opened@example.org');
    assert.equal(confirmation.parsed.inReplyTo, messageId);
    assert.deepEqual(header(confirmation, 'In-Reply-To'), [messageId]);
    assert.deepEqual(header(confirmation, 'References'), [messageId]);
    // Still our own signed Message-ID and still an automated mail.
    assert.match(confirmation.parsed.messageId ?? '', /^<cd\.[0-9a-f]{32}\.[0-9a-f]{16}@/);
    assert.deepEqual(header(confirmation, 'Auto-Submitted'), ['auto-generated']);

    // The ticket it confirms is the one the mail opened.
    const { rows } = await env.ctx.db.pool.query<{ ticket_number: string; outcome: string }>(
      `SELECT t.ticket_number, i.outcome FROM inbound_mails i JOIN contact_submissions t ON t.id = i.ticket_id
       WHERE i.message_id = $1`,
      [messageId],
    );
    assert.equal(rows[0]?.outcome, 'new_ticket');
    assert.ok(confirmation.parsed.subject?.includes(`[${rows[0]!.ticket_number}]`));
  });

  test('when a mail on an archived ticket opens a follow-up ticket, then the follow-up confirmation threads with that mail', async () => {
    const mod = await createUserWithToken(env.ctx, { role: 'moderator', name: 'Mo Derator' });
    const old = await submitTicket(env, 'olga.followup@example.org', 'Old parcel');
    const api = `/api/v1/contact/${old.id}`;
    await request(env.t.app).post(`${api}/mark-resolved`).set(mod.auth).send({}).expect(200);
    await request(env.t.app).post(`${api}/archive`).set(mod.auth).send({}).expect(200);
    env.sink.clear();

    const messageId = '<followup-91c2@mail.example.org>';
    await customerSends({
      from: 'Olga <olga.followup@example.org>',
      to: old.vars.REPLY_TO,
      subject: `Re: [${old.ticketNumber}] Old parcel`,
      text: 'The same problem again with my new order.\n',
      messageId,
      inReplyTo: old.vars.OUR_MESSAGE_ID,
    });

    const notOld = new RegExp(`\\[(?!${old.ticketNumber}\\])CONT-\\d{8}-\\d{4,}\\]`);
    const confirmation = await confirmationTo('olga.followup@example.org', notOld);
    assert.deepEqual(header(confirmation, 'In-Reply-To'), [messageId]);
    assert.deepEqual(header(confirmation, 'References'), [messageId]);
  });

  test('when a ticket is opened through the form, then its confirmation starts a thread (no In-Reply-To)', async () => {
    const ticket = await submitTicket(env, 'fiona.form@example.org', 'Through the form');
    assert.equal(ticket.confirmation.parsed.inReplyTo, undefined);
    assert.deepEqual(header(ticket.confirmation, 'In-Reply-To'), []);
    assert.deepEqual(header(ticket.confirmation, 'References'), []);
  });
});

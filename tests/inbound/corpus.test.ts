// The fixture corpus: real-shaped replies from the clients customers use, each filled with the
// real reply address and Message-ID of a confirmation our worker sent, fed through the store →
// job → processing path. Each must land on the right ticket with only the new text.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  customerMessages,
  deliver,
  deliveriesTo,
  fixture,
  inboundTestEnv,
  submitTicket,
  ticketById,
  waitForQueueDrained,
  type MailTestEnv,
} from './inbound-setup.js';

describe('inbound corpus: replies land on their ticket', () => {
  let env: MailTestEnv;
  before(async () => {
    env = await inboundTestEnv();
  });
  after(() => env.close());

  test('when Cara replies from Gmail, then the reply is appended without the quoted confirmation, HTML sanitised', async () => {
    const t = await submitTicket(env, 'cara@gmail.example', 'Order 1001 missing');
    const row = await deliver(env, fixture('gmail-reply', t.vars));
    assert.deepEqual([row.status, row.outcome, row.ticket_id], ['processed', 'appended', t.id]);
    const [msg, ...rest] = await customerMessages(env, t.id);
    assert.equal(rest.length, 0);
    assert.equal(msg!.kind, 'customer');
    assert.equal(msg!.author_email, 'cara@gmail.example');
    assert.equal(msg!.message_id, '<CAJx9fT1pQ8vR2mZ+Lw3nK7yD0sE4hB6gU5cXoA1iN9rV2eM7@mail.gmail.com>');
    assert.match(msg!.body_text, /^The tracking number is 1Z999AA10123456784 – the parcel still has not arrived\./);
    assert.doesNotMatch(msg!.body_text, /wrote:|thank you for contacting us|^>/m);
    // HTML kept as HTML, but only the allowlist: no script, handler, javascript: link, remote image, quote.
    assert.match(msg!.body_html!, /<b>1Z999AA10123456784<\/b>/);
    assert.doesNotMatch(msg!.body_html!, /script|onclick|javascript:|tracker\.example|gmail_quote|contacting us/i);
    assert.equal(
      row.ticket_message_id,
      (await env.ctx.db.pool.query('SELECT id FROM ticket_messages WHERE ticket_id = $1', [t.id])).rows[0].id,
    );
    // A customer message triggers no mail: the sink got only the confirmation.
    await waitForQueueDrained(env.ctx);
    assert.equal(env.sink.to('cara@gmail.example').length, 1);

    // Her next mail answers her own previous one (a Message-ID stored for this thread), to the plain address.
    const follow = await deliver(env, fixture('gmail-followup', t.vars));
    assert.deepEqual([follow.outcome, follow.ticket_id], ['appended', t.id]);
    const thread = await customerMessages(env, t.id);
    assert.equal(thread.length, 2);
    assert.equal(thread[1]!.body_text, 'Forgot to say: the parcel went to my old address, maybe that is why.');
  });

  test('when Oliver replies from Outlook (rewritten Message-ID, no References to ours), then the reply token matches it and the Outlook quote is cut', async () => {
    const t = await submitTicket(env, 'oliver@outlook.example', 'Invoice address', 'Oliver Outlook');
    const row = await deliver(env, fixture('outlook-reply', t.vars));
    assert.deepEqual([row.outcome, row.ticket_id], ['appended', t.id]);
    const [msg] = await customerMessages(env, t.id);
    assert.match(msg!.body_text, /^The invoice address is still wrong: it must be Müllerstraße 12\./);
    assert.doesNotMatch(msg!.body_text, /From:|Sent:|thank you for contacting us|_{10}/);
    assert.match(msg!.body_html!, /Müllerstraße 12/);
    assert.doesNotMatch(msg!.body_html!, /divRplyFwdMsg|Sent:|style|Hello Oliver/);

    // Outlook's next mail goes to the plain address and answers a Message-ID we never saw:
    // its Thread-Index root (kept by Outlook across the conversation) still finds the thread.
    const second = await deliver(env, fixture('outlook-second-reply', t.vars));
    assert.deepEqual([second.outcome, second.ticket_id], ['appended', t.id]);
    const thread = await customerMessages(env, t.id);
    assert.equal(thread[1]!.body_text, 'One more thing: please send the corrected invoice as PDF.\n\nOliver');
  });

  test('when Anna replies from Apple Mail to the plain address, then our signed Message-ID in In-Reply-To matches it', async () => {
    const t = await submitTicket(env, 'anna@icloud.example', 'Receipt missing', 'Anna Apple');
    const row = await deliver(env, fixture('apple-reply', t.vars));
    assert.deepEqual([row.outcome, row.ticket_id], ['appended', t.id]);
    const [msg] = await customerMessages(env, t.id);
    assert.equal(msg!.body_text, 'Thanks, I found the receipt — it was in my spam folder.\n\nAnna');
    assert.equal(msg!.body_html, null);
  });

  test('when a partner forwards a third party’s mail, then it opens a new ticket for the partner with the forwarded text kept', async () => {
    const row = await deliver(env, fixture('forwarded'));
    assert.deepEqual([row.status, row.outcome], ['processed', 'new_ticket']);
    const ticket = await ticketById(env, row.ticket_id!);
    assert.equal(ticket.email, 'dana@partner.example');
    assert.equal(ticket.subject, 'Fwd: Broken widget, order 7781');
    assert.match(ticket.message, /a customer of ours wrote to us/);
    assert.match(ticket.message, /My widget from order 7781 arrived broken\. The left hinge snapped off\./);
    assert.deepEqual([ticket.channel, ticket.category], ['email', 'general']);
    assert.equal((await deliveriesTo(env, 'dana@partner.example')).length, 1, 'the partner gets a confirmation');
  });

  test('when a brand-new mail arrives, then it opens a ticket (channel email) and the sender gets a confirmation', async () => {
    const row = await deliver(env, fixture('new-mail'));
    assert.equal(row.outcome, 'new_ticket');
    const ticket = await ticketById(env, row.ticket_id!);
    assert.deepEqual(
      [ticket.email, ticket.name, ticket.subject, ticket.channel, ticket.category, ticket.status],
      ['nina.new@example.org', 'Nina Nüßlein', 'Größe question about sizes', 'email', 'general', 'pending'],
    );
    assert.match(ticket.message, /do the jackets come in size XXL\?/);
    await waitForQueueDrained(env.ctx);
    const [confirmation] = env.sink.to('nina.new@example.org');
    assert.ok(confirmation, 'confirmation sent');
    assert.ok(confirmation.parsed.subject!.includes(ticket.ticket_number));
    // Her Message-ID is recorded as the one that opened the ticket (our replies reference it).
    const { rows } = await env.ctx.db.pool.query('SELECT message_id FROM inbound_mails WHERE id = $1', [row.id]);
    assert.equal(rows[0].message_id, '<a8b7c6d5-e4f3-4210-9876-543210fedcba@example.org>');
  });

  test('when the same mail arrives twice (SMTP, then IMAP), then it is one message and the copy is a duplicate', async () => {
    const t = await submitTicket(env, 'twice@gmail.example', 'Twice');
    // Its own Message-ID (the Gmail fixture's was used by the first test of this file).
    const raw = Buffer.from(
      fixture('gmail-reply', t.vars).toString().replace('CAJx9fT1pQ8vR2mZ', 'CAJx9fT1pQ8vR2mZtwice'),
    );
    const a = await deliver(env, raw, { channel: 'smtp' });
    // The IMAP copy has the provider's extra header on top: different bytes, same Message-ID.
    const b = await deliver(env, Buffer.concat([Buffer.from('X-Received: by imap.example\r\n'), raw]), {
      channel: 'imap',
    });
    assert.deepEqual([a.status, a.outcome], ['processed', 'appended']);
    assert.deepEqual([b.status, b.outcome, b.ticket_id], ['ignored', 'duplicate', t.id]);
    assert.equal((await customerMessages(env, t.id)).length, 1);
  });

  test('when a stranger writes with someone’s ticket number in the subject, then it opens the stranger’s own ticket', async () => {
    const victim = await submitTicket(env, 'victim1@example.com', 'Delivery address');
    const row = await deliver(env, fixture('stranger-ticket-number', victim.vars));
    assert.equal(row.outcome, 'new_ticket');
    assert.notEqual(row.ticket_id, victim.id);
    assert.equal((await ticketById(env, row.ticket_id!)).email, 'mallory@evil.example');
    assert.deepEqual(await customerMessages(env, victim.id), []);
  });

  test('when the submitter writes with their ticket number in the subject, then it joins that ticket', async () => {
    const t = await submitTicket(env, 'numbered@example.com', 'Delivery address');
    const raw = fixture('stranger-ticket-number', t.vars)
      .toString()
      .replace(/Mallory <mallory@evil\.example>/, 'Numbered <NUMBERED@example.com>')
      .replace('<m1.20261202120000@evil.example>', '<n1@example.com>');
    const row = await deliver(env, Buffer.from(raw));
    assert.deepEqual([row.outcome, row.ticket_id], ['appended', t.id]);
  });

  test('when a reply token is forged (wrong signature) and the Message-ID made up, then nothing reaches the victim’s ticket', async () => {
    const victim = await submitTicket(env, 'victim2@example.com', 'Refund');
    const token = victim.vars.REPLY_TO!;
    const forged = token.replace(/([0-9a-f])(@)/, (_, c: string, at: string) => `${c === '0' ? '1' : '0'}${at}`);
    const row = await deliver(env, fixture('forged-token', { ...victim.vars, FORGED_TO: forged }));
    assert.equal(row.outcome, 'new_ticket');
    assert.notEqual(row.ticket_id, victim.id);
    assert.deepEqual(await customerMessages(env, victim.id), []);
    assert.equal((await ticketById(env, victim.id)).status, 'pending');
  });
});

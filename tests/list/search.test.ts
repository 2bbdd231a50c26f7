// The list's search (`q`, src/contact/ticket-search.ts) through GET /api/v1/contact/ on real
// PostgreSQL: full-text over the whole thread (a word only in the customer's email reply finds
// the ticket), stemming in the ticket's language (German and English), and exact matches for a
// ticket number or an email address.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { submitContact } from '../../src/contact/contact.service.js';
import { addCustomerMessage } from '../../src/conversation/customer-message.js';
import { postStaffMessage } from '../../src/conversation/conversation.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';

describe('ticket search', () => {
  let t: TestApp;
  let mod: { user: TestUser; auth: Record<string, string> };
  const tickets = {} as Record<'reply' | 'german' | 'english' | 'joanna', { id: string; ticketNumber: string }>;

  const find = async (q: string): Promise<string[]> => {
    const res = await request(t.app).get('/api/v1/contact/').query({ q }).set(mod.auth).expect(200);
    return (res.body.items as Array<{ id: string }>)
      .map((i) => Object.entries(tickets).find(([, v]) => v.id === i.id)![0])
      .sort();
  };

  before(async () => {
    t = await createTestApp();
    mod = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Sam Search' });
    tickets.reply = await createTicket(t.ctx, {
      name: 'Rita Reply',
      email: 'rita@example.com',
      subject: 'Order arrived damaged',
      message: 'The box was crushed when it arrived.',
    });
    // The customer answers by email: only this reply mentions the courier's name.
    await addCustomerMessage(
      t.ctx,
      {
        ticketId: tickets.reply.id,
        fromEmail: 'rita@example.com',
        fromName: 'Rita Reply',
        subject: 'Re: Order arrived damaged',
        bodyText: 'The parcel was delivered by Zephyrlogistics, the driver threw it over the fence.',
        bodyHtml: null,
        messageId: '<reply-1@mail.example>',
        inboundMailId: null,
        channel: 'email',
      },
      { source: 'api' },
    );
    tickets.german = await submitContact(
      t.ctx,
      {
        name: 'Greta Kunde',
        email: 'greta@example.de',
        subject: 'Doppelte Abbuchung',
        message: 'Meine Rechnungen wurden zweimal abgebucht, bitte erstatten.',
        category: 'general',
        lang: 'de',
      },
      { actor: null, ip: '127.0.0.1', userAgent: 'test', source: 'api' },
    );
    tickets.english = await createTicket(t.ctx, {
      name: 'Ed English',
      email: 'anna@example.com',
      subject: 'Refund request',
      message: 'I was charged for two subscriptions and would like one refunded.',
    });
    tickets.joanna = await createTicket(t.ctx, {
      name: 'Joanna Other',
      email: 'joanna@example.com',
      subject: 'Password reset',
      message: 'The reset link never arrives.',
    });
    // A staff note on one ticket mentions another's number: the number still finds only its own ticket.
    await postStaffMessage(
      t.ctx,
      mod.user,
      tickets.joanna.id,
      { kind: 'note', body: `Same customer as ${tickets.english.ticketNumber}? Checking.` },
      { source: 'api' },
    );
  });

  after(() => t?.close());

  test('when a word appears only in the customer’s email reply, then searching it finds the ticket', async () => {
    assert.deepEqual(await find('Zephyrlogistics'), ['reply']);
    assert.deepEqual(await find('zephyrlogistics fence'), ['reply']);
    // English stemming over the thread: "threw … fence" ← "fences".
    assert.deepEqual(await find('fences'), ['reply']);
  });

  test('when a German ticket says "Rechnungen", then "Rechnung" finds it by its German stem', async () => {
    assert.deepEqual(await find('Rechnung'), ['german']);
    assert.deepEqual(await find('Abbuchung'), ['german']);
    assert.deepEqual(await find('erstatten rechnung'), ['german']);
  });

  test('when an English ticket says "refunded" and "subscriptions", then "refund subscription" finds it', async () => {
    assert.deepEqual(await find('refund subscription'), ['english']);
    assert.deepEqual(await find('charging'), ['english']);
  });

  test('when q is a ticket number or an email address, then exactly that ticket is found', async () => {
    assert.deepEqual(await find(tickets.english.ticketNumber), ['english']);
    assert.deepEqual(await find(tickets.english.ticketNumber.toLowerCase()), ['english']);
    assert.deepEqual(await find('anna@example.com'), ['english']);
    assert.deepEqual(await find('ANNA@Example.com'), ['english']);
    assert.deepEqual(await find('joanna@example.com'), ['joanna']);
  });

  test('when a note is added, then its words are searchable in the same transaction’s commit', async () => {
    assert.deepEqual(await find('Checking'), ['joanna']);
    assert.deepEqual(await find('nothing-like-this-anywhere'), []);
  });
});

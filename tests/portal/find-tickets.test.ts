// "Find my tickets" through the real worker and SMTP sink: the same answer for a known and an
// unknown address (status, body), the known one gets a mail with working links to its open
// tickets only, the unknown one gets nothing; limited per address and per IP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createUserWithToken } from '../helpers/factories.js';
import { mailTestEnv, waitForQueueDrained, type MailTestEnv } from '../mail/mail-setup.js';
import { API, submitWithLink } from './portal-setup.js';

describe('find my tickets', () => {
  let env: MailTestEnv;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;

  before(async () => {
    env = await mailTestEnv({
      env: { FIND_TICKETS_PER_ADDRESS_PER_HOUR: '2', FIND_TICKETS_PER_IP_PER_HOUR: '6', TRUST_PROXY: 'true' },
    });
    mod = await createUserWithToken(env.ctx, { role: 'moderator' });
  });
  after(() => env.close());

  const find = (email: string, ip = '203.0.113.1') =>
    request(env.t.app).post('/t/find').set('X-Forwarded-For', ip).type('form').send({ email });

  test('when a known and an unknown address ask, then both get the same page, and only the known one a mail with its open tickets', async () => {
    const a = await submitWithLink(env, { email: 'Known@Example.com', subject: 'First problem' });
    const b = await submitWithLink(env, { email: 'known@example.com', subject: 'Second problem' });
    const done = await submitWithLink(env, { email: 'known@example.com', subject: 'Old archived one' });
    await request(env.t.app).post(`${API}/${done.ticket.id}/mark-resolved`).set(mod.auth).send({}).expect(200);
    await request(env.t.app).post(`${API}/${done.ticket.id}/archive`).set(mod.auth).send({}).expect(200);
    await waitForQueueDrained(env.ctx);
    env.sink.clear();

    const known = await find('KNOWN@example.com', '203.0.113.10');
    const unknown = await find('nobody@example.com', '203.0.113.11');
    assert.equal(known.status, 200);
    assert.equal(unknown.status, known.status);
    assert.equal(unknown.text, known.text, 'the page does not tell known from unknown');
    assert.match(known.text, /If we have open tickets for that address/);
    await waitForQueueDrained(env.ctx);

    assert.equal(env.sink.to('nobody@example.com').length, 0);
    assert.equal(env.sink.messages.length, 1, 'one mail, to the known address');
    const mail = env.sink.messages[0]!;
    assert.equal(mail.parsed.subject, 'Your open tickets');
    const text = mail.parsed.text!;
    assert.ok(text.includes(a.ticket.ticket_number) && text.includes(b.ticket.ticket_number), text);
    assert.ok(!text.includes(done.ticket.ticket_number), 'archived tickets are not listed');
    const paths = [...text.matchAll(/http:\/\/localhost:3000(\/t\/[A-Za-z0-9_-]{43})/g)].map((m) => m[1]!);
    assert.equal(paths.length, 2);
    for (const p of paths) {
      const page = await request(env.t.app).get(p).expect(200);
      assert.ok(page.text.includes(a.ticket.ticket_number) || page.text.includes(b.ticket.ticket_number));
    }
  });

  test('when the address is not an email address, then the form says so (nothing queued)', async () => {
    const res = await find('not an address', '203.0.113.20').expect(400);
    assert.match(res.text, /must be an email address/);
  });

  test('when one address is asked for too often, then the next request is refused with 429 (per address, then per IP)', async () => {
    await find('limited@example.com', '203.0.113.30').expect(200);
    await find('limited@example.com', '203.0.113.31').expect(200);
    const refused = await find('limited@example.com', '203.0.113.32').expect(429);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    for (let i = 0; i < 6; i++) await find(`ip${i}@example.com`, '198.51.100.7').expect(200);
    await find('ip-last@example.com', '198.51.100.7').expect(429);
  });

  test('when the find page is opened in German, then it is translated', async () => {
    const res = await request(env.t.app).get('/t/find').set('Accept-Language', 'de-DE,de;q=0.9').expect(200);
    assert.match(res.text, /<html lang="de" dir="ltr">/);
    assert.match(res.text, /Meine Tickets finden/);
  });
});

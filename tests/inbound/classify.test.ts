// The pure parts of inbound processing, on mails parsed by the real mailparser: what the headers
// say (automated, auto-reply, bounce, where a token may be) and what HTML survives sanitising.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { extractBody, htmlToText, sanitizeMailHtml } from '../../src/inbound/inbound.body.js';
import { readFacts } from '../../src/inbound/inbound.headers.js';
import { headerMessageId } from '../../src/inbound/inbound.store.js';

const mail = (headers: string[], body = 'Hello') => Buffer.from([...headers, '', body, ''].join('\r\n'));
const facts = async (raw: Buffer, envelopeFrom: string | null = null, to: string[] = []) =>
  readFacts(await simpleParser(raw), { from: envelopeFrom, to, messageId: headerMessageId(raw) });
const base = ['From: Cara <cara@example.com>', 'To: support@desk.test', 'Subject: Hi', 'Message-ID: <a@b>'];

describe('inbound classification', () => {
  test('when a person writes, then nothing marks the mail automated', async () => {
    const f = await facts(mail([...base, 'Auto-Submitted: no', 'Return-Path: <cara@example.com>']));
    assert.deepEqual([f.automated, f.autoReply, f.bounce], [false, false, false]);
    assert.equal(f.from?.address, 'cara@example.com');
  });

  test('when a header says a machine or a list sent it, then it is automated (no confirmation)', async () => {
    for (const h of [
      'Auto-Submitted: auto-generated',
      'Precedence: bulk',
      'Precedence: list',
      'X-Loop: desk@other.example',
      'List-Unsubscribe: <mailto:u@list.example>',
      'List-Id: <x.list.example>',
    ]) {
      const f = await facts(mail([...base, h]));
      assert.equal(f.automated, true, h);
      assert.equal(f.bounce, false, h);
    }
  });

  test('when it is an out-of-office, then it is an auto-reply and not a bounce, even with an empty Return-Path', async () => {
    for (const h of [
      'Auto-Submitted: auto-replied',
      'X-Autoreply: yes',
      'Subject: Out of Office: Hi',
      'Subject: Automatic reply: Hi',
    ]) {
      const headers = h.startsWith('Subject') ? [...base.filter((x) => !x.startsWith('Subject')), h] : [...base, h];
      const f = await facts(mail([...headers, 'Return-Path: <>']));
      assert.deepEqual([f.autoReply, f.bounce, f.automated], [true, false, true], h);
    }
  });

  test('when the mail system writes (mailer-daemon, null sender, report), then it is a bounce', async () => {
    const daemon = await facts(
      mail(['From: MAILER-DAEMON@mx.example', 'To: support@desk.test', 'Subject: Undelivered']),
    );
    const nullSender = await facts(mail(base), '');
    const report = await facts(
      mail(
        [...base, 'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'],
        '--r\r\nContent-Type: text/plain\r\n\r\nx\r\n--r--',
      ),
    );
    assert.deepEqual([daemon.bounce, nullSender.bounce, report.bounce], [true, true, true]);
  });

  test('when a token may hide in Delivered-To, X-Original-To or the envelope, then all are recipients; answers list In-Reply-To first', async () => {
    const f = await facts(
      mail([
        ...base,
        'Cc: Other <other@example.com>',
        'Delivered-To: support+tabc@desk.test',
        'X-Original-To: support+tdef@desk.test',
        'In-Reply-To: <parent@x>',
        'References: <root@x>\r\n <middle@x> <parent@x>',
      ]),
      null,
      ['support+tenv@desk.test'],
    );
    assert.deepEqual(f.recipients, [
      'support@desk.test',
      'other@example.com',
      'support+tabc@desk.test',
      'support+tdef@desk.test',
      'support+tenv@desk.test',
    ]);
    assert.deepEqual(f.answers, ['<parent@x>', '<middle@x>', '<root@x>']);
  });

  test('when the Message-ID is folded or unbracketed, then the cheap header read still finds it; not in the body', () => {
    assert.equal(headerMessageId(mail(['Subject: x', 'Message-ID:\r\n <folded@x>'])), '<folded@x>');
    assert.equal(headerMessageId(mail(['message-id: bare@x'])), '<bare@x>');
    assert.equal(headerMessageId(mail(['Subject: x'], 'Message-ID: <body@x>')), null);
  });
});

describe('inbound HTML', () => {
  test('when HTML carries scripts, handlers, styles, remote images or javascript: links, then only the allowlist is left', () => {
    const out = sanitizeMailHtml(
      '<div style="color:red" onclick="x()" class="c"><script>alert(1)</script><style>p{}</style><p>Hi <b>there</b></p>' +
        '<img src="https://t.example/p.gif" alt="logo"><img src="data:image/png;base64,iVBORw0KGgo=" alt="inline">' +
        '<a href="javascript:alert(1)">bad</a> <a href="https://ok.example/x" target="_blank">ok</a>' +
        '<iframe src="https://x"></iframe><form><input></form></div>',
    );
    assert.equal(
      out,
      '<div><p>Hi <b>there</b></p><span>logo</span><img src="data:image/png;base64,iVBORw0KGgo=" alt="inline" />' +
        '<a rel="noopener noreferrer nofollow">bad</a> <a href="https://ok.example/x" rel="noopener noreferrer nofollow">ok</a></div>',
    );
  });

  test('when only HTML came, then the text is derived from it without the quoted part', async () => {
    const raw = mail(
      [...base, 'MIME-Version: 1.0', 'Content-Type: text/html; charset=UTF-8'],
      '<p>Fish &amp; chips&nbsp;&#8211; twice</p><p>Line two</p><div class="gmail_quote">On Monday X wrote:<blockquote>old</blockquote></div>',
    );
    const body = extractBody(await simpleParser(raw), raw);
    assert.equal(body.text, 'Fish & chips – twice\n\nLine two');
    // The HTML keeps the no-break space; the text has a plain one.
    assert.equal(body.html, '<p>Fish &amp; chips\u00a0– twice</p><p>Line two</p>');
    assert.equal(htmlToText('a<br>b'), 'a\nb');
  });
});

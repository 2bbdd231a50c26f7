// The plain HTML form path with files, in a real Chromium: a website on a second origin has an
// ordinary <form enctype="multipart/form-data"> posting to the desk (no JavaScript). The browser
// streams the files, the desk stores them sniffed, and the visitor sees the thank-you page; a file
// over ATTACHMENT_MAX_BYTES gives the visitor the readable error page and leaves no ticket.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { CHROMIUM_MISSING, findChromium, launchChromium, type LaunchedBrowser } from '../helpers/browser.js';
import { listen, type Listening } from '../widget/widget-helpers.js';

const chromium = findChromium();
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const formPage = (deskUrl: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><main>` +
  `<form method="post" action="${deskUrl}/api/v1/contact/submit" enctype="multipart/form-data">` +
  ['name', 'email', 'subject'].map((f) => `<label>${f} <input name="${f}" id="${f}" required></label>`).join('') +
  `<label>message <textarea name="message" id="message" required></textarea></label>` +
  `<label>files <input type="file" name="attachments" id="files" multiple></label>` +
  `<input type="hidden" name="website" value=""><button id="send">Send</button></form></main></body></html>`;

describe('plain HTML form with files, in Chromium', { skip: chromium ? false : CHROMIUM_MISSING }, () => {
  let t: TestApp;
  let desk: Listening;
  let site: Listening;
  let browser: LaunchedBrowser;

  before(async () => {
    t = await createTestApp({ env: { ATTACHMENT_MAX_BYTES: String(64 * 1024) } });
    desk = await listen(t.app as unknown as http.RequestListener);
    site = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(formPage(desk.url));
    });
    browser = await launchChromium(chromium!);
  });
  after(async () => {
    await browser?.close();
    await Promise.all([site?.close(), desk?.close()]);
    await t?.close();
  });

  async function fillForm(subject: string) {
    const page = await browser.context.newPage();
    await page.goto(site.url);
    await page.fill('#name', 'Pia Plain');
    await page.fill('#email', 'pia@example.com');
    await page.fill('#subject', subject);
    await page.fill('#message', 'See the attached files.');
    return page;
  }

  test('when a visitor sends the form with files, then the thank-you page shows and the ticket has the files', async () => {
    const page = await fillForm('Plain form with files');
    await page.setInputFiles('#files', [
      { name: 'screenshot.png', mimeType: 'image/png', buffer: PNG },
      // The extension lies: HTML named .png is stored as what it is, never as an image.
      { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<html><script>alert(1)</script></html>') },
    ]);
    await Promise.all([page.waitForURL(`${desk.url}/api/v1/contact/submit`), page.click('#send')]);
    assert.match(await page.locator('body').innerText(), /CONT-\d{8}-\d{4,}/);
    const { rows } = await t.ctx.db.pool.query(
      `SELECT a.file_name, a.declared_type, a.sniffed_type, a.size::int AS size
       FROM attachments a JOIN contact_submissions c ON c.id = a.ticket_id
       WHERE c.subject = 'Plain form with files' ORDER BY a.file_name`,
    );
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1], {
      file_name: 'screenshot.png',
      declared_type: 'image/png',
      sniffed_type: 'image/png',
      size: PNG.length,
    });
    assert.equal(rows[0].file_name, 'fake.png');
    assert.notEqual(rows[0].sniffed_type, 'image/png', 'the sniffed type wins over the declared one');
    await page.close();
  });

  test('when a file is over the limit, then the visitor gets the error page naming it and no ticket is written', async () => {
    const page = await fillForm('Plain form too big');
    await page.setInputFiles('#files', [
      { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(100 * 1024, 7) },
    ]);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${desk.url}/api/v1/contact/submit`),
      page.click('#send'),
    ]);
    assert.equal(response.status(), 413);
    assert.match(await page.locator('body').innerText(), /big\.bin/);
    const { rows } = await t.ctx.db.pool.query(
      `SELECT count(*)::int AS n FROM contact_submissions WHERE subject = 'Plain form too big'`,
    );
    assert.deepEqual(rows, [{ n: 0 }]);
    await page.close();
  });
});

// The embeddable form in a real Chromium, on a website served from a SECOND origin (another
// port) that is on ALLOWED_ORIGINS, plus a third origin that is not. Real desk, real PostgreSQL.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createUserWithToken } from '../helpers/factories.js';
import { CHROMIUM_MISSING, findChromium, launchChromium, type LaunchedBrowser } from '../helpers/browser.js';
import { ensureWidgetBundle, freePort, listen, websiteHandler, type Listening } from './widget-helpers.js';

const chromium = findChromium();
const AXE_FILE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const W = 'contactdesk-form';

const PAGES: Record<string, { lang: string; body: string }> = {
  '/': { lang: 'en', body: `<${W}></${W}>` },
  '/de': { lang: 'de', body: `<${W}></${W}>` },
  '/ar': { lang: 'ar', body: `<${W}></${W}>` },
  '/button': { lang: 'en', body: `<p>Text</p><${W} mode="button"></${W}>` },
};

describe('<contactdesk-form> in Chromium on another origin', { skip: chromium ? false : CHROMIUM_MISSING }, () => {
  let t: TestApp;
  let desk: Listening;
  let site: Listening;
  let foreign: Listening;
  let browser: LaunchedBrowser;
  const count = async () =>
    Number((await t.ctx.db.pool.query('SELECT count(*) FROM contact_submissions')).rows[0].count);

  before(async () => {
    ensureWidgetBundle();
    const sitePort = await freePort();
    // Small file limits, so the widget's own check of them can be tried with small files.
    t = await createTestApp({
      env: {
        ALLOWED_ORIGINS: `http://127.0.0.1:${sitePort}`,
        ATTACHMENT_MAX_BYTES: '102400',
        ATTACHMENT_MAX_FILES: '2',
      },
    });
    desk = await listen(t.app as unknown as http.RequestListener);
    site = await listen(websiteHandler(desk.url, PAGES), sitePort);
    // Same page, origin not on the list (localhost vs 127.0.0.1 would be same-site; a port differs).
    foreign = await listen(websiteHandler(desk.url, PAGES));
    browser = await launchChromium(chromium!);
  });
  after(async () => {
    await browser?.close();
    await Promise.all([site?.close(), foreign?.close(), desk?.close()]);
    await t?.close();
  });

  async function open(path: string, origin = site.url): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(`${origin}${path}`);
    await page.locator(`${W}[ready]`).waitFor({ state: 'attached', timeout: 10_000 });
    return page;
  }

  async function fill(page: Page, values: Partial<Record<'name' | 'email' | 'subject' | 'message', string>> = {}) {
    const v = { name: 'Ann Lee', email: 'ann@example.com', subject: 'Order 42', message: 'Where is it?', ...values };
    for (const [field, value] of Object.entries(v)) await page.locator(`${W} #cd-${field}`).fill(value);
  }

  async function axeSeriousViolations(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: AXE_FILE });
    const results = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } })
        .axe;
      return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact }));
    });
    return results.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact})`);
  }

  test('when a visitor fills in and sends the form, then a ticket is created and its number shown', async () => {
    const before = await count();
    const page = await open('/');
    await fill(page);
    await page.locator(`${W} [part=submit]`).click();
    const number = (await page.locator(`${W} .ticket`).textContent({ timeout: 10_000 }))!;
    assert.match(number, /^CONT-\d{8}-\d{4,}$/);
    const { rows } = await t.ctx.db.pool.query(
      'SELECT subject, language::text FROM contact_submissions WHERE ticket_number = $1',
      [number],
    );
    assert.deepEqual(rows[0], { subject: 'Order 42', language: 'en' });
    assert.equal(await count(), before + 1);
    await page.close();
  });

  test('when a visitor attaches files, then the widget checks the limits and the ticket gets the files', async () => {
    const page = await open('/');
    await fill(page, { subject: 'With photos' });
    const picker = page.locator(`${W} #cd-attachments`);
    await assert.doesNotReject(picker.waitFor({ state: 'visible' }));
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    // Too big for ATTACHMENT_MAX_BYTES (100 kB): refused in the browser, named, nothing sent.
    await picker.setInputFiles([
      { name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(150_000) },
    ]);
    assert.match((await page.locator(`${W} #cd-attachments-error`).textContent())!, /huge\.bin.*100 kB/);
    assert.equal(await page.locator(`${W} #cd-attachments`).getAttribute('aria-invalid'), 'true');
    await page.locator(`${W} [part=remove-file]`).click();
    assert.equal((await page.locator(`${W} #cd-attachments-error`).textContent())!.trim(), '');
    // Two choices add up to the list that is sent.
    await picker.setInputFiles([{ name: 'photo.png', mimeType: 'image/png', buffer: png }]);
    await picker.setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('left hinge\n') }]);
    assert.deepEqual(await page.locator(`${W} .file-name`).allTextContents(), ['photo.png', 'notes.txt']);
    await page.locator(`${W} [part=submit]`).click();
    const number = (await page.locator(`${W} .ticket`).textContent({ timeout: 10_000 }))!;
    const { rows } = await t.ctx.db.pool.query(
      `SELECT a.file_name, a.size::int AS size, a.sniffed_type, a.source, a.ticket_message_id
       FROM attachments a JOIN contact_submissions c ON c.id = a.ticket_id WHERE c.ticket_number = $1 ORDER BY a.file_name`,
      [number],
    );
    assert.deepEqual(rows, [
      { file_name: 'notes.txt', size: 11, sniffed_type: 'text/plain', source: 'form', ticket_message_id: null },
      { file_name: 'photo.png', size: png.length, sniffed_type: 'image/png', source: 'form', ticket_message_id: null },
    ]);
    await page.close();
  });

  test('when the site passes a signed-in visitor token, then name and email are prefilled and the ticket is theirs', async () => {
    const { user, token } = await createUserWithToken(t.ctx, { name: 'Sina Signed', email: 'sina@example.com' });
    PAGES['/signed-in'] = { lang: 'en', body: `<${W} token="${token}"></${W}>` };
    PAGES['/bad-token'] = { lang: 'en', body: `<${W} token="not-a-valid-token"></${W}>` };
    const page = await open('/signed-in');
    assert.equal(await page.locator(`${W} #cd-name`).inputValue(), 'Sina Signed');
    assert.equal(await page.locator(`${W} #cd-email`).inputValue(), 'sina@example.com');
    await page.locator(`${W} #cd-subject`).fill('Signed in');
    await page.locator(`${W} #cd-message`).fill('Hello from my account.');
    await page.locator(`${W} [part=submit]`).click();
    const number = (await page.locator(`${W} .ticket`).textContent({ timeout: 10_000 }))!;
    const { rows } = await t.ctx.db.pool.query('SELECT user_id FROM contact_submissions WHERE ticket_number = $1', [
      number,
    ]);
    assert.deepEqual(rows, [{ user_id: user.id }]);
    await page.close();
    // A token the desk does not accept: the form still loads, empty, as for anyone.
    const anon = await open('/bad-token');
    assert.equal(await anon.locator(`${W} #cd-name`).inputValue(), '');
    await fill(anon, { subject: 'Token refused' });
    await anon.locator(`${W} [part=submit]`).click();
    await anon.locator(`${W} .ticket`).waitFor({ timeout: 10_000 });
    const anonymous = await t.ctx.db.pool.query(
      `SELECT user_id FROM contact_submissions WHERE subject = 'Token refused'`,
    );
    assert.deepEqual(anonymous.rows, [{ user_id: null }], 'sent anonymously, not refused with a 401');
    await anon.close();
  });

  test('when fields are empty, then the widget says so per field, announces it, and focuses the first', async () => {
    const page = await open('/');
    await page.locator(`${W} [part=submit]`).click();
    assert.equal(await page.locator(`${W} #cd-name-error`).textContent(), 'This field is required.');
    assert.equal(await page.locator(`${W} #cd-name`).getAttribute('aria-invalid'), 'true');
    assert.equal(
      (await page.locator(`${W} [role=status][aria-live=polite]`).textContent())?.trim(),
      'Please correct the marked fields.',
    );
    assert.equal(
      await page.evaluate(() => document.querySelector('contactdesk-form')!.shadowRoot!.activeElement?.id),
      'cd-name',
    );
    await page.close();
  });

  test('when the server refuses a field the browser let through, then its message shows next to that field', async () => {
    const before = await count();
    const page = await browser.context.newPage();
    // An out-of-date copy of the rules (say, cached before the server tightened them).
    await page.route('**/widget/config.json*', async (route) => {
      const res = await route.fetch();
      const config = await res.json();
      config.fields.subject.maxLength = 100_000;
      await route.fulfill({ response: res, json: config });
    });
    await page.goto(`${site.url}/`);
    await page.locator(`${W}[ready]`).waitFor();
    await fill(page, { subject: 'x'.repeat(300) });
    await page.locator(`${W} [part=submit]`).click();
    await page.locator(`${W} #cd-subject[aria-invalid=true]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(`${W} #cd-subject-error`).textContent(), 'Use at most 255 characters.');
    assert.equal(await page.locator(`${W} #cd-name-error`).textContent(), '');
    assert.equal(await count(), before);
    await page.close();
  });

  test('when the page is on an origin not on ALLOWED_ORIGINS, then the submit is refused and nothing is written', async () => {
    const before = await count();
    const page = await open('/', foreign.url);
    await fill(page);
    await page.locator(`${W} [part=submit]`).click();
    // The preflight got 403, so the browser never sent the POST and tells the page only "failed".
    await page.locator(`${W} .status.bad`).waitFor({ timeout: 10_000 });
    assert.match((await page.locator(`${W} .status`).textContent())!, /could not reach the server/);
    assert.equal(await page.locator(`${W} .ticket`).count(), 0);
    assert.equal(await count(), before);
    await page.close();
  });

  test('when the visitor double-clicks send, then exactly one ticket is created', async () => {
    const before = await count();
    const page = await open('/');
    await fill(page, { subject: 'Double click' });
    await page.locator(`${W} [part=submit]`).dblclick();
    await page.locator(`${W} .ticket`).waitFor({ timeout: 10_000 });
    // A second, stray request with the same key (a retry after a lost answer) changes nothing either.
    await page.waitForTimeout(300);
    assert.equal(await count(), before + 1);
    await page.close();
  });

  test('when used with the keyboard only, then the focus order is the form order and Enter sends', async () => {
    const page = await open('/');
    await page.locator(`${W} #cd-name`).focus();
    const order: string[] = [];
    for (let i = 0; i < 7; i++) {
      order.push(
        await page.evaluate(
          () => document.querySelector('contactdesk-form')!.shadowRoot!.activeElement?.id || 'submit',
        ),
      );
      await page.keyboard.press('Tab');
    }
    assert.deepEqual(order, [
      'cd-name',
      'cd-email',
      'cd-category',
      'cd-subject',
      'cd-message',
      'cd-attachments',
      'submit',
    ]);
    await page.locator(`${W} #cd-name`).focus();
    for (const text of ['Kim Keys', 'kim@example.com']) {
      await page.keyboard.type(text);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('ArrowDown'); // category: the next option
    await page.keyboard.press('Tab');
    await page.keyboard.type('Keyboard only');
    await page.keyboard.press('Tab');
    await page.keyboard.type('No mouse used.');
    await page.keyboard.press('Tab'); // the file picker (optional)
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator(`${W} .ticket`).waitFor({ timeout: 10_000 });
    const { rows } = await t.ctx.db.pool.query(
      "SELECT category::text FROM contact_submissions WHERE subject = 'Keyboard only'",
    );
    assert.deepEqual(rows, [{ category: 'bug' }]);
    await page.close();
  });

  test('when axe checks the form (fresh, with errors) and the open button dialog, then nothing serious', async () => {
    const page = await open('/');
    assert.deepEqual(await axeSeriousViolations(page), []);
    await page.locator(`${W} [part=submit]`).click();
    assert.deepEqual(await axeSeriousViolations(page), [], 'with field errors shown');
    const dialog = await open('/button');
    await dialog.locator(`${W} [part=launcher]`).click();
    await dialog.locator(`${W} dialog[open]`).waitFor();
    assert.deepEqual(await axeSeriousViolations(dialog), [], 'dialog open');
    await dialog.keyboard.press('Escape');
    await dialog
      .locator(`${W} dialog[open]`)
      .waitFor({ state: 'detached' })
      .catch(() => {});
    assert.equal(await dialog.locator(`${W} dialog[open]`).count(), 0, 'Escape closes the dialog');
    await Promise.all([page.close(), dialog.close()]);
  });

  test('when the page is German, then the widget is German and the ticket is stored as de', async () => {
    const page = await open('/de');
    assert.equal(
      (await page.locator(`${W} label[for=cd-subject]`).textContent())?.trim().replace(/\s*\*$/, ''),
      'Betreff',
    );
    assert.equal(
      await page
        .locator(`${W} [part=submit]`)
        .textContent()
        .then((s) => s?.trim()),
      'Nachricht senden',
    );
    await fill(page, { subject: 'Auf Deutsch' });
    await page.locator(`${W} [part=submit]`).click();
    await page.locator(`${W} .ticket`).waitFor({ timeout: 10_000 });
    assert.match((await page.locator(`${W} [role=status]`).textContent())!, /Ihre Ticketnummer lautet CONT-/);
    const { rows } = await t.ctx.db.pool.query(
      "SELECT language::text FROM contact_submissions WHERE subject = 'Auf Deutsch'",
    );
    assert.deepEqual(rows, [{ language: 'de' }]);
    await page.close();
  });

  test('when the page is Arabic, then the widget is Arabic and laid out right to left', async () => {
    const page = await open('/ar');
    assert.equal(await page.locator(W).getAttribute('dir'), 'rtl');
    assert.equal(await page.locator(`${W} form`).evaluate((el) => getComputedStyle(el).direction), 'rtl');
    assert.match((await page.locator(`${W} label[for=cd-subject]`).textContent())!, /الموضوع/);
    // Right to left: the label's text hugs the right edge of the field, not the left.
    const gap = await page.locator(`${W} label[for=cd-name]`).evaluate((label) => {
      const range = document.createRange();
      range.selectNodeContents(label);
      const text = range.getBoundingClientRect();
      const field = label.parentElement!.querySelector('input')!.getBoundingClientRect();
      return { right: field.right - text.right, left: text.left - field.left };
    });
    assert.ok(gap.right < 2 && gap.left > 50, `text at the right: ${JSON.stringify(gap)}`);
    await page.close();
  });
});

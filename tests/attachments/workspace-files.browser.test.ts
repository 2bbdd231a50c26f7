// Files in the workspace reply box, in a real Chromium: a moderator picks a file with the file
// picker, drops a second one on the box, removes a third, sends the reply, and sees the files on
// the new message (with an image preview) — stored on the reply, downloadable through the panel.
// Screenshot: test-artifacts/workspace-files.png.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listenOnLoopback, type ListeningApp, type TestApp } from '../helpers/app.js';
import { createPanelTestApp } from '../helpers/admin-login.js';
import {
  ARTIFACTS_DIR,
  CHROMIUM_MISSING,
  ensureAdminBundle,
  findChromium,
  launchChromium,
  type LaunchedBrowser,
  signInToPanel,
} from '../helpers/browser.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';
import { PNG } from './attachment-helpers.js';

const chromiumPath = findChromium();
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('workspace reply box with files in a real browser', () => {
  let t: TestApp;
  let server: ListeningApp;
  let browser: LaunchedBrowser;
  let mia: TestUser;
  let ticket: Awaited<ReturnType<typeof createTicket>>;

  before(async () => {
    if (!chromiumPath) return;
    ensureAdminBundle();
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    t = await createPanelTestApp();
    mia = await createUser(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
    ticket = await createTicket(t.ctx, { subject: 'Manual for the X200', name: 'Bea Buyer', email: 'bea@example.com' });
    server = await listenOnLoopback(t.app);
    browser = await launchChromium(chromiumPath);
  });
  after(async () => {
    if (!chromiumPath) return;
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  test('when a moderator attaches files by picker and by drop and replies, then the reply carries them', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    const problems: string[] = [];
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => problems.push(e.message));
    await page.setViewportSize({ width: 1440, height: 900 });
    await signInToPanel(page, server.url, mia);
    await page.goto(`${server.url}/admin/resources/tickets/records/${ticket.id}/show`);
    await page.locator('[data-testid="thread-message"]').first().waitFor();

    // The picker: two files at once.
    await page.getByTestId('reply-files-input').setInputFiles([
      { name: 'manual.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'wrong.txt', mimeType: 'text/plain', buffer: Buffer.from('not this one\n') },
    ]);
    // Drag and drop onto the reply box: a real DataTransfer with a File, dispatched as the browser would.
    await page.evaluate(
      ([b64]) => {
        const bytes = Uint8Array.from(atob(b64!), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'wiring.png', { type: 'image/png' }));
        const box = document.querySelector('[data-testid="reply-box"]')!;
        box.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
        box.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
      },
      [PNG.toString('base64')],
    );
    const chosen = page.getByTestId('reply-file');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="reply-file"]').length === 3);
    assert.deepEqual(
      (await chosen.allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim()),
      ['manual.pdf 1 KB ×', 'wrong.txt 1 KB ×', 'wiring.png 1 KB ×'],
    );
    await page.getByRole('button', { name: 'Remove wrong.txt' }).click();
    assert.equal(await chosen.count(), 2);

    await page.getByTestId('reply-body').fill('Here is the manual and the wiring diagram.');
    await page.getByTestId('send-reply').click();
    await page.getByTestId('reply-sent').waitFor();
    assert.equal(await chosen.count(), 0, 'the box is empty again');

    const reply = page.locator('[data-testid="thread-message"][data-kind="reply"]');
    await reply.getByTestId('message-file').nth(1).waitFor();
    assert.deepEqual(
      (await reply.getByTestId('message-file').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim()),
      // badge (PDF / IMG), name, size
      ['PDFmanual.pdf 1 KB', 'IMGwiring.png 1 KB'],
    );
    // The image preview really loaded (through the session-checked download route).
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-kind="reply"] [data-testid="message-file"] img');
      return !!img && img.complete && img.naturalWidth === 1;
    });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'workspace-files.png') });

    const { rows } = await t.ctx.db.pool.query(
      `SELECT a.file_name, a.sniffed_type, a.source, m.kind::text AS kind FROM attachments a
       JOIN ticket_messages m ON m.id = a.ticket_message_id WHERE a.ticket_id = $1 ORDER BY a.created_at`,
      [ticket.id],
    );
    assert.deepEqual(
      rows.map((r) => [r.file_name, r.sniffed_type, r.source, r.kind]),
      [
        ['manual.pdf', 'application/pdf', 'panel', 'reply'],
        ['wiring.png', 'image/png', 'panel', 'reply'],
      ],
    );
    assert.deepEqual(problems, []);
  });
});

// The panel in a real browser: a moderator signs in, sees the list, filters by status, assigns a
// ticket to themselves, resolves it with notes, exports CSV and reads the downloaded file, and
// logs out. Screenshots of the list, the show page and the dashboard go to test-artifacts/.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { runTicketAction } from '../../src/contact/contact.service.js';
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

const chromiumPath = findChromium();

describe('panel in a real browser', () => {
  let t: TestApp;
  let server: ListeningApp;
  let base: string;
  let launched: LaunchedBrowser;
  let page: Page;
  let mod: TestUser;
  let target: Awaited<ReturnType<typeof createTicket>>;
  let resolvedEarlier: Awaited<ReturnType<typeof createTicket>>;
  const problems: string[] = [];

  before(async () => {
    if (!chromiumPath) return;
    ensureAdminBundle();
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
    resolvedEarlier = await createTicket(t.ctx, { subject: 'Already handled', category: 'account' });
    await runTicketAction(t.ctx, mod, resolvedEarlier.id, 'resolve', {}, { source: 'api' });
    await createTicket(t.ctx, { subject: 'Cannot log in', category: 'account' });
    target = await createTicket(t.ctx, { subject: 'Refund please', category: 'data', name: 'Bea Buyer' });
    server = await listenOnLoopback(t.app);
    base = server.url;
    launched = await launchChromium(chromiumPath);
    page = await launched.context.newPage();
    page.setDefaultTimeout(20_000);
    // Every console error and page error (a CSP violation shows as one) fails the walk-through.
    page.on('console', (m) => {
      // (The browser's own /favicon.ico probe 404s; the panel has no favicon.)
      const where = m.location().url;
      if (m.type() === 'error' && !where.endsWith('/favicon.ico')) problems.push(`${m.text()} ${where}`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
  });

  after(async () => {
    if (!chromiumPath) return;
    await launched?.close();
    await server?.close();
    await t?.close();
  });

  test('when a moderator works a ticket in the panel, then every step shows and the CSV holds the result', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);

    // Sign in (the login button has no type=submit: click it by its role and name).
    await signInToPanel(page, base, mod);

    // Dashboard.
    await page.getByTestId('dashboard').waitFor();
    await page.getByTestId('tickets-chart').waitFor();
    assert.equal((await page.getByTestId('count-pending').innerText()).split('\n')[0], '2');
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'admin-dashboard.png'), fullPage: true });

    // The list: newest first, with status badges.
    await page.goto(`${base}/admin/resources/tickets`);
    await page.getByText(target.ticketNumber).waitFor();
    assert.ok(await page.getByText(resolvedEarlier.ticketNumber).isVisible());
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'admin-list.png'), fullPage: true });

    // Filter by status through the filter drawer.
    await page.getByText('Filter', { exact: true }).click();
    await page.locator('[data-css="tickets-filter-status"] input[role="combobox"]').click();
    await page.getByRole('option', { name: 'Resolved' }).click();
    await page.locator('[data-css="tickets-filter-drawer-button-apply"]').click();
    await page.waitForURL(/filters\.status=resolved/);
    await page.getByText(resolvedEarlier.ticketNumber).waitFor();
    await page.getByText(target.ticketNumber).waitFor({ state: 'detached' });

    // Assign to me on the ticket's page.
    await page.goto(`${base}/admin/resources/tickets/records/${target.id}/show`);
    await page.getByText('Refund please').first().waitFor();
    await page.locator('[data-css="tickets-assignToMe-button"]').click();
    await page.getByTestId('action-submit').click();
    await page.locator('[data-testid="status-badge"][data-status="in_progress"]').waitFor();
    await page.getByText('Mia Moderator').first().waitFor();

    // Resolve with notes.
    await page.locator('[data-css="tickets-resolve-button"]').click();
    await page.fill('#resolutionNotes', 'Refunded in full, reference R-123');
    await page.getByTestId('action-submit').click();
    await page.locator('[data-testid="status-badge"][data-status="resolved"]').waitFor();
    await page.getByText('Refunded in full, reference R-123').waitFor();
    await page.getByTestId('emails-sent').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'admin-show.png'), fullPage: true });
    const row = await t.ctx.db.pool.query(
      'SELECT status, assigned_to_id, resolution_notes FROM contact_submissions WHERE id = $1',
      [target.id],
    );
    assert.deepEqual(row.rows[0], {
      status: 'resolved',
      assigned_to_id: mod.id,
      resolution_notes: 'Refunded in full, reference R-123',
    });

    // Export CSV of the resolved tickets and read the downloaded file.
    await page.goto(`${base}/admin/resources/tickets?filters.status=resolved`);
    await page.getByText(target.ticketNumber).waitFor();
    await page.locator('[data-css="tickets-exportCsv-button"]').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.match(lines[0]!, /^ticket_number,created_at,updated_at,status,category/);
    assert.equal(lines.length, 3, 'header + the two resolved tickets');
    assert.ok(lines.some((l) => l.startsWith(`${target.ticketNumber},`) && l.includes('Refunded in full')));
    assert.ok(lines.some((l) => l.startsWith(`${resolvedEarlier.ticketNumber},`)));

    // Log out through the user menu (it POSTs): back to the login page, and the panel stays closed.
    await page.goto(`${base}/admin`);
    await page.locator('[data-css="logged-in"]').hover();
    await page.getByText('Log out', { exact: true }).click();
    await page.waitForURL(`${base}/admin/login`);
    await page.goto(`${base}/admin/resources/tickets`);
    await page.waitForURL(`${base}/admin/login`);
    assert.deepEqual(problems, [], 'no console errors (CSP violations included)');
  });
});

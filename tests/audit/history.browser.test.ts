// The History action and the Audit log in a real browser: a moderator reads a ticket's timeline
// (who changed what, through which path, and its emails); an admin reads the audit log.
// Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
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

describe('ticket history and audit log in a real browser', () => {
  let t: TestApp;
  let server: ListeningApp;
  let base: string;
  let launched: LaunchedBrowser;
  let mod: TestUser;
  let admin: TestUser;
  let ticket: Awaited<ReturnType<typeof createTicket>>;

  before(async () => {
    if (!chromiumPath) return;
    ensureAdminBundle();
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator', name: 'Hilda Historian' });
    admin = await createUser(t.ctx, { role: 'admin', name: 'Audrey Admin' });
    ticket = await createTicket(t.ctx, { subject: 'Where is my parcel', email: 'parcel@example.com' });
    await runTicketAction(t.ctx, mod, ticket.id, 'assign_to_me', {}, { source: 'api' });
    await updateTicket(t.ctx, mod, ticket.id, { admin_notes: 'Asked the courier' }, { source: 'api' });
    await t.ctx.db.pool.query(`UPDATE contact_submissions SET category = 'data' WHERE id = $1`, [ticket.id]);
    server = await listenOnLoopback(t.app);
    base = server.url;
    launched = await launchChromium(chromiumPath);
  });

  after(async () => {
    if (!chromiumPath) return;
    await launched?.close();
    await server?.close();
    await t?.close();
  });

  async function signIn(user: TestUser): Promise<Page> {
    // One browser profile for both tests: drop the previous user's session first.
    await launched.context.clearCookies();
    const page = await launched.context.newPage();
    page.setDefaultTimeout(20_000);
    await signInToPanel(page, base, user);
    return page;
  }

  test('when a moderator opens History on a ticket, then the timeline shows each change, its author and path, and the emails', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    const page = await signIn(mod);
    await page.goto(`${base}/admin/resources/tickets/records/${ticket.id}/history`);
    const timeline = page.getByTestId('ticket-history');
    await timeline.waitFor();

    const changes = timeline.locator('li[data-entry-type="change"]');
    assert.equal(await changes.count(), 4);
    const newest = await changes.nth(0).innerText();
    assert.match(newest, /No signed-in user/);
    assert.match(newest, /via direct SQL/);
    assert.match(newest, /category\s+general\s+data/);
    const notes = await changes.nth(1).innerText();
    assert.match(notes, /Hilda Historian/);
    assert.match(notes, /via REST API/);
    assert.match(notes, /admin_notes\s+\(empty\)\s+Asked the courier/);
    const assign = await changes.nth(2).innerText();
    assert.match(assign, /assigned_to_id\s+—\s+Hilda Historian </);
    assert.match(await changes.nth(3).innerText(), /created the ticket/);

    const emails = timeline.locator('li[data-entry-type="email"]');
    assert.equal(await emails.count(), 2);
    assert.match(await timeline.innerText(), /Confirmation to the customer to parcel@example\.com:\s*queued/);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'ticket-history.png'), fullPage: true });
    await page.close();
  });

  test('when an admin opens the Audit log, then the events are listed newest first with their source', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    const page = await signIn(admin);
    await page.goto(`${base}/admin/resources/audit-log`);
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    const first = await rows.first().innerText();
    assert.match(first, new RegExp(ticket.ticketNumber));
    assert.match(first, /\bsql\b/i);
    assert.match(first, /\bcategory\b/);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'audit-log.png'), fullPage: true });
    await page.close();
  });
});

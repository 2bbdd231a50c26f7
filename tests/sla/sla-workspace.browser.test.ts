// The ticket workspace's side column shows the next SLA clock in Chromium: "Due in …" for a new
// ticket, "Breached 3 h ago" once its first-response due time has passed (the due time on hover).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listenOnLoopback, type ListeningApp, type TestApp } from '../helpers/app.js';
import { createPanelTestApp } from '../helpers/admin-login.js';
import {
  CHROMIUM_MISSING,
  ensureAdminBundle,
  findChromium,
  launchChromium,
  type LaunchedBrowser,
  signInToPanel,
} from '../helpers/browser.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const chromiumPath = findChromium();

describe('SLA clock in the ticket workspace', () => {
  let t: TestApp;
  let server: ListeningApp;
  let browser: LaunchedBrowser;
  let mod: TestUser;

  before(async () => {
    if (!chromiumPath) return;
    ensureAdminBundle();
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator' });
    server = await listenOnLoopback(t.app);
    browser = await launchChromium(chromiumPath);
  });
  after(async () => {
    if (!chromiumPath) return;
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  test('when a ticket is new and when it breached, then the side says "Due in …" and "Breached 3 h ago"', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    const ticket = await createTicket(t.ctx, { subject: 'SLA clock in the side column' });
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await signInToPanel(page, server.url, mod);
    const show = `${server.url}/admin/resources/tickets/records/${ticket.id}/show`;
    await page.goto(show);
    const sla = page.getByTestId('side-sla');
    await sla.waitFor();
    assert.match(await sla.innerText(), /SLA · first response\s+Due in \d+ (min|h|d)/i);

    await t.ctx.db.pool.query(
      `UPDATE contact_submissions SET sla_first_response_due_at = now() - interval '3 hours 5 minutes' WHERE id = $1`,
      [ticket.id],
    );
    await page.goto(show);
    await page.locator('[data-testid="side-sla"] [data-phase="breached"]').waitFor();
    assert.match(await sla.innerText(), /Breached 3 h ago/);
    assert.ok(await sla.locator('[data-phase]').getAttribute('title'), 'the due time on hover');
  });
});

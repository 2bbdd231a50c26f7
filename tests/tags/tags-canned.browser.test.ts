// Canned replies and tags in the workspace, in a real Chromium at 1440×900: `#` in the empty reply
// box opens the picker, typing filters by name, Enter inserts the reply rendered for this ticket
// (placeholders filled, none left raw), and the usage count goes up; then a tag is added as a chip
// from the side panel (a suggestion of an existing tag, and a new one typed in), one removed, and
// the History lists the three changes with the moderator's name.
// Screenshot: test-artifacts/tags-canned-workspace.png.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createCannedReply } from '../../src/canned/service.js';
import { createTag } from '../../src/tags/service.js';
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

describe('canned replies and tags in the workspace (Chromium)', () => {
  let t: TestApp;
  let server: ListeningApp;
  let browser: LaunchedBrowser;
  let page: Page;
  let mia: TestUser;
  let ticket: Awaited<ReturnType<typeof createTicket>>;
  let replyId: string;
  const problems: string[] = [];

  before(async () => {
    if (!chromiumPath) return;
    ensureAdminBundle();
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    t = await createPanelTestApp();
    mia = await createUser(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
    const admin = await createUser(t.ctx, { role: 'admin', name: 'Ada Admin' });
    ticket = await createTicket(t.ctx, {
      name: 'Bea Buyer',
      subject: 'Where is my refund?',
      message: 'I was charged twice.',
    });
    const meta = { source: 'system' as const };
    replyId = (
      await createCannedReply(
        t.ctx,
        admin,
        {
          name: 'Refund on its way',
          scope: 'shared',
          body: 'Hi {{ customer.first_name | default: "there" }}, your refund for {{ ticket.number }} is on its way. {{ customer.nickname }}— {{ moderator.first_name }}',
        },
        meta,
      )
    ).reply.id;
    await createCannedReply(
      t.ctx,
      admin,
      { name: 'Password reset', scope: 'shared', body: 'Use the reset link.' },
      meta,
    );
    await createTag(t.ctx, admin, { name: 'billing' }, meta);
    server = await listenOnLoopback(t.app);
    browser = await launchChromium(chromiumPath);
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(m.text());
    });
    await signInToPanel(page, server.url, mia);
    await page.goto(`${server.url}/admin/resources/tickets/records/${ticket.id}/show`);
    await page.getByTestId('ticket-workspace').waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  test(
    'when # is typed in the empty reply box and a reply is chosen by name, then its rendered text is inserted and counted',
    { skip: chromiumPath ? false : CHROMIUM_MISSING },
    async () => {
      const box = page.getByTestId('reply-body');
      await box.click();
      await page.keyboard.type('#');
      const search = page.getByTestId('canned-search');
      await search.waitFor();
      await search.fill('refund');
      await page.getByTestId('canned-item').filter({ hasText: 'Refund on its way' }).waitFor();
      assert.equal(await page.getByTestId('canned-item').count(), 1);
      await search.press('Enter');
      await page.waitForFunction(
        () => (document.querySelector('[data-testid="reply-body"]') as HTMLTextAreaElement).value !== '',
      );
      const text = await box.inputValue();
      assert.equal(text, `Hi Bea, your refund for ${ticket.ticketNumber} is on its way. — Mia`);
      assert.doesNotMatch(text, /\{\{|\}\}/);
      // The # was not typed into the reply; elsewhere it is just a character.
      await box.press('End');
      await page.keyboard.type(' Order #12');
      assert.match(await box.inputValue(), /Order #12$/);
      assert.equal(await page.getByTestId('canned-search').count(), 0);
      const { rows } = await t.ctx.db.pool.query('SELECT usage_count FROM canned_replies WHERE id = $1', [replyId]);
      assert.equal(rows[0].usage_count, 1);
    },
  );

  test(
    'when a tag is picked from the suggestions and another typed in, then both show as chips and one can be removed',
    { skip: chromiumPath ? false : CHROMIUM_MISSING },
    async () => {
      const input = page.getByTestId('tag-input');
      await input.click();
      await input.fill('bill');
      await page.getByTestId('tag-suggestion').filter({ hasText: 'billing' }).click();
      await page.locator('[data-testid="tag-chip"][data-tag="billing"]').waitFor();
      await input.fill('Refund 2026');
      await input.press('Enter');
      await page.locator('[data-testid="tag-chip"][data-tag="Refund 2026"]').waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'tags-canned-workspace.png') });
      await page.locator('[data-testid="tag-chip"][data-tag="billing"] [data-testid="tag-remove"]').click();
      await page.locator('[data-testid="tag-chip"][data-tag="billing"]').waitFor({ state: 'detached' });
      const { rows } = await t.ctx.db.pool.query<{
        operation: string;
        tag_name: string;
        actor_id: string;
        source: string;
      }>('SELECT operation, tag_name, actor_id, source FROM ticket_tag_events WHERE ticket_id = $1 ORDER BY event_id', [
        ticket.id,
      ]);
      assert.deepEqual(
        rows.map((r) => `${r.operation}:${r.tag_name}:${r.source}:${r.actor_id === mia.id}`),
        ['insert:billing:admin:true', 'insert:Refund 2026:admin:true', 'delete:billing:admin:true'],
      );
      // The ticket's History shows who added and removed which tag.
      await page.goto(`${server.url}/admin/resources/tickets/records/${ticket.id}/history`);
      const tagItems = page.locator('[data-entry-type="tag"]');
      await tagItems.first().waitFor();
      assert.equal(await tagItems.count(), 3);
      assert.match(await tagItems.first().innerText(), /Mia Moderator removed the tag billing/);
      assert.deepEqual(problems, []);
    },
  );
});

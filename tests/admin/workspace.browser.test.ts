// The ticket workspace in a real Chromium at 1440×900: a moderator opens a ticket, replies with
// the keyboard (`r`, type, Reply) and sees the delivery state, adds a shaded internal note (`n`,
// Ctrl+Enter), sees a second moderator (another browser) viewing and typing, changes priority and
// category at the side (and is refused, not overwriting, when the other changed the ticket
// meanwhile), sees a customer message arrive without reloading and is asked before sending over
// it, and finally replies and resolves. Screenshots go to test-artifacts/workspace-*.png.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { runTicketAction, updateTicket } from '../../src/contact/contact.service.js';
import { addCustomerMessage } from '../../src/conversation/customer-message.js';
import { ticketEvents } from '../audit/audit-helpers.js';
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
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS_DIR, `workspace-${name}.png`) });
/** The panel scrolls inside its own container, so a full-page shot needs a taller window for a moment. */
async function tallShot(page: Page, name: string) {
  await page.setViewportSize({ width: 1440, height: 2000 });
  await shot(page, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe('ticket workspace in a real browser', () => {
  let t: TestApp;
  let server: ListeningApp;
  let base: string;
  const browsers: LaunchedBrowser[] = [];
  let mia: TestUser;
  let noah: TestUser;
  let ticket: Awaited<ReturnType<typeof createTicket>>;
  const problems: string[] = [];

  const open = async (user: TestUser): Promise<Page> => {
    const launched = await launchChromium(chromiumPath!);
    browsers.push(launched);
    const page = await launched.context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => {
      const where = m.location().url;
      if (m.type() === 'error' && !where.endsWith('/favicon.ico')) problems.push(`${user.name}: ${m.text()} ${where}`);
    });
    page.on('pageerror', (e) => problems.push(`${user.name}: ${e.message}`));
    await signInToPanel(page, base, user);
    await page.goto(`${base}/admin/resources/tickets/records/${ticket.id}/show`);
    await page.getByTestId('ticket-workspace').waitFor();
    await page.locator('[data-testid="thread-message"]').first().waitFor();
    return page;
  };
  const blur = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const replies = async () =>
    (
      await t.ctx.db.pool.query(
        "SELECT count(*)::int AS n FROM ticket_messages WHERE ticket_id = $1 AND kind = 'reply'",
        [ticket.id],
      )
    ).rows[0].n as number;

  before(async () => {
    if (!chromiumPath) return;
    ensureAdminBundle();
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    t = await createPanelTestApp();
    mia = await createUser(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
    noah = await createUser(t.ctx, { role: 'moderator', name: 'Noah Nightshift' });
    ticket = await createTicket(t.ctx, {
      subject: 'Refund for a double-charged annual subscription',
      name: 'Bea Buyer',
      email: 'bea@example.com',
      message:
        'I was charged twice for my annual plan on 28 November. Could you refund one of the charges?\n\nThanks, Bea',
    });
    // The customer wrote three hours ago (arrange: the relative time shows "3 h ago").
    await t.ctx.db.pool.query("UPDATE contact_submissions SET created_at = now() - interval '3 hours' WHERE id = $1", [
      ticket.id,
    ]);
    server = await listenOnLoopback(t.app);
    base = server.url;
  });

  after(async () => {
    if (!chromiumPath) return;
    for (const b of browsers) await b.close();
    await server?.close();
    await t?.close();
  });

  test('when two moderators work one ticket, then replies, notes, presence and the collision guard all show', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    const page = await open(mia);

    // Title, original message with its relative and absolute time, facts at the side.
    const title = await page.getByTestId('workspace-title').innerText();
    assert.match(title, new RegExp(`${ticket.ticketNumber}\\s+·\\s+Refund for a double-charged annual subscription`));
    const first = page.locator('[data-testid="thread-message"]').first();
    assert.equal(await first.getAttribute('data-kind'), 'submission');
    assert.equal(await first.getByTestId('message-time').innerText(), '3 h ago');
    assert.match((await first.getByTestId('message-time').getAttribute('title')) ?? '', /\d{4}|\d{1,2}:\d{2}/);
    await page.locator('[data-testid="side-status"] [data-status="pending"]').waitFor();
    assert.equal(await page.getByTestId('side-assignee-select').inputValue(), '', 'unassigned');
    // The assignee choices (moderators may not read Users: the resource's own action lists them).
    await page
      .locator('[data-testid="side-assignee-select"] option', { hasText: 'Noah Nightshift' })
      .waitFor({ state: 'attached' });
    await page.getByTestId('workspace-ratings').getByText('Not rated yet').waitFor();
    await shot(page, 'initial');

    // A second moderator opens the ticket and starts typing: Mia sees it.
    const other = await open(noah);
    await page
      .locator('[data-testid="presence-entry"][data-state="viewing"]', { hasText: 'Noah Nightshift' })
      .waitFor();
    assert.match(await page.getByTestId('presence').innerText(), /Noah Nightshift is viewing/);
    await other.keyboard.press('r');
    await other.keyboard.type('I can take this one');
    await page.locator('[data-testid="presence-entry"][data-state="typing"]').waitFor();
    assert.match(await page.getByTestId('presence').innerText(), /Noah Nightshift is typing a reply…/);
    await other.locator('[data-testid="presence-entry"]', { hasText: 'Mia Moderator' }).waitFor();
    await shot(page, 'presence');

    // `r` focuses the box in reply mode; Reply sends; the reply shows its delivery state.
    await blur(page);
    await page.keyboard.press('r');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'workspace-reply');
    assert.equal(await page.getByTestId('reply-box').getAttribute('data-mode'), 'reply');
    await page.keyboard.type('Sorry about that, Bea. We are refunding the second charge today.');
    await page.getByTestId('send-reply').click();
    const reply = page.locator('[data-testid="thread-message"][data-kind="reply"]');
    await reply.waitFor();
    assert.equal(await reply.getByTestId('delivery-state').getAttribute('data-delivery'), 'queued');
    assert.match(await reply.innerText(), /Email queued/);
    assert.equal(await page.getByTestId('reply-body').inputValue(), '', 'the box empties after sending');
    await page.locator('[data-testid="side-status"] [data-status="in_progress"]').waitFor();
    await page.waitForFunction(
      (id) =>
        (document.querySelector('[data-testid="side-assignee-select"]') as HTMLSelectElement | null)?.value === id,
      mia.id,
    );
    assert.equal(await replies(), 1);

    // Priority changes at the side, saved at once through the edit action: stored and audited as Mia's.
    await page.getByTestId('side-priority-select').selectOption('high');
    await page.getByTestId('side-saved').getByText('Priority saved').waitFor();
    const saved = await t.ctx.db.pool.query('SELECT priority, category FROM contact_submissions WHERE id = $1', [
      ticket.id,
    ]);
    assert.deepEqual(saved.rows[0], { priority: 'high', category: 'general' });
    const change = (await ticketEvents(t.ctx, ticket.id)).at(-1)!;
    assert.deepEqual([change.changed_fields, change.actor_id, change.source], [['priority'], mia.id, 'admin']);

    // Noah changes the category meanwhile; Mia's change from the old version is refused, not
    // written over his, and her side shows his value.
    await updateTicket(t.ctx, noah, ticket.id, { category: 'account' }, { source: 'api' });
    await page.getByTestId('side-category-select').selectOption('bug');
    await page
      .getByTestId('side-saved')
      .getByText(/someone else changed this ticket meanwhile/)
      .waitFor();
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid="side-category-select"]') as HTMLSelectElement | null)?.value ===
        'account',
    );
    const kept = await t.ctx.db.pool.query('SELECT category FROM contact_submissions WHERE id = $1', [ticket.id]);
    assert.equal(kept.rows[0].category, 'account');
    await shot(page, 'side-fields');

    // `n` switches to note mode (letters typed in the box stay text); Ctrl+Enter adds the note, shaded.
    await blur(page);
    await page.keyboard.press('n');
    assert.equal(await page.getByTestId('reply-box').getAttribute('data-mode'), 'note');
    await page.keyboard.type('Refund ref R-2210 in the billing tool, no need to reopen');
    assert.equal(await page.getByTestId('reply-box').getAttribute('data-mode'), 'note');
    await page.keyboard.press('Control+Enter');
    const note = page.locator('[data-testid="thread-message"][data-kind="note"]');
    await note.waitFor();
    assert.match(await note.innerText(), /Internal note/);
    assert.match(await note.innerText(), /Refund ref R-2210 in the billing tool, no need to reopen/);
    assert.equal(await note.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(255, 248, 214)');
    assert.equal(await replies(), 1, 'a note is not a reply');
    assert.match(await page.getByTestId('reply-sent').innerText(), /Internal note added/);

    // While Mia drafts, the customer writes: it appears without a reload, and sending asks first.
    await page.getByTestId('mode-reply').click();
    await page.getByTestId('reply-body').fill('The refund should show within 5 days.');
    await addCustomerMessage(
      t.ctx,
      {
        ticketId: ticket.id,
        fromEmail: 'bea@example.com',
        fromName: 'Bea Buyer',
        subject: 'Re: Refund',
        bodyText: 'Wait, I see both charges were refunded already?',
        bodyHtml: null,
        messageId: null,
        inboundMailId: null,
        channel: 'email',
      },
      { source: 'worker' },
    );
    const arrived = page.locator('[data-testid="thread-message"][data-kind="customer"]');
    await arrived.waitFor();
    assert.equal(await arrived.getAttribute('data-new'), 'true');
    await page.getByTestId('send-reply').click();
    const prompt = page.getByTestId('stale-prompt');
    await prompt.waitFor();
    assert.match(await prompt.innerText(), /A new message arrived — send anyway\?/);
    assert.equal(await replies(), 1, 'nothing sent before confirming');
    await shot(page, 'stale');
    await page.getByTestId('stale-confirm').click();
    await prompt.waitFor({ state: 'detached' });
    await page.locator('[data-testid="thread-message"][data-kind="reply"]').nth(1).waitFor();
    assert.equal(await replies(), 2);

    // Reply and resolve: the status at the side becomes Resolved.
    await page.getByTestId('reply-body').fill('Both charges are refunded; closing this ticket. Write back any time.');
    await page.getByTestId('send-reply-resolve').click();
    await page.locator('[data-testid="side-status"] [data-status="resolved"]').waitFor();
    assert.equal(await page.locator('[data-testid="side-status"] [data-status="resolved"]').innerText(), 'Resolved');
    // The header's buttons follow the new status: Reopen instead of Resolve.
    await page.locator('[data-css="tickets-reopen-button"]').waitFor();
    assert.equal(await page.locator('[data-css="tickets-resolve-button"]').count(), 0);
    await page.locator('[data-testid="thread-message"][data-kind="reply"]').nth(2).waitFor();
    const stored = await t.ctx.db.pool.query('SELECT status FROM contact_submissions WHERE id = $1', [ticket.id]);
    assert.equal(stored.rows[0].status, 'resolved');
    assert.equal(await page.getByTestId('send-reply-resolve').isDisabled(), true, 'already resolved');
    await shot(page, 'resolved');
    await tallShot(page, 'resolved-full');
    await tallShot(other, 'second-moderator');

    // Archived, the customer writes again: a new ticket follows up this one, and its details link back.
    await runTicketAction(t.ctx, mia, ticket.id, 'archive', {}, { source: 'api' });
    const followUp = await addCustomerMessage(
      t.ctx,
      {
        ticketId: ticket.id,
        fromEmail: 'bea@example.com',
        fromName: 'Bea Buyer',
        subject: 'Re: Refund',
        bodyText: 'The charge is back on my statement this month.',
        bodyHtml: null,
        messageId: null,
        inboundMailId: null,
        channel: 'email',
      },
      { source: 'worker' },
    );
    assert.equal(followUp.outcome, 'follow_up');
    await page.goto(`${base}/admin/resources/tickets/records/${followUp.ticketId}/show`);
    const back = page.getByTestId('link-parentTicketId');
    await back.click();
    await page.waitForURL(new RegExp(`/records/${ticket.id}/show$`));
    await page.getByTestId('workspace-title').getByText(ticket.ticketNumber).waitFor();

    // Layout at 1440×900: nothing wider than the window.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
    assert.deepEqual(problems, [], 'no console errors (CSP violations included)');
  });
});

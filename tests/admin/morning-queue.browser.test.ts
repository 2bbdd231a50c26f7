// Issue 14's "done when", end to end in a real Chromium at 1440×900, from the keyboard where the
// panel offers keys: a moderator opens the "Breaching soon" view, finds a ticket by a word that
// only its customer's email reply contains, opens it, replies with a canned answer (rendered for
// this customer), tags it, and the dashboard shows the SLA attainment that reply earned. Real
// PostgreSQL, the real panel bundle; the reply is queued for the customer through the mail jobs.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createCannedReply } from '../../src/canned/service.js';
import { addCustomerMessage } from '../../src/conversation/customer-message.js';
import { listenOnLoopback, TestClock, type ListeningApp, type TestApp } from '../helpers/app.js';
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
const ROWS = '[data-testid="ticket-list"] tbody tr[data-id]';

describe(
  'a morning queue cleared from the keyboard (Chromium)',
  { skip: chromiumPath ? false : CHROMIUM_MISSING },
  () => {
    // The real time (the "Breaching soon" filter compares with the database's now()), moved on
    // by hand only to let the dashboard's one-minute SLA figures expire.
    const clock = new TestClock(new Date());
    let t: TestApp;
    let server: ListeningApp;
    let browser: LaunchedBrowser;
    let page: Page;
    let mia: TestUser;
    let urgent: Awaited<ReturnType<typeof createTicket>>;
    const problems: string[] = [];

    before(async () => {
      ensureAdminBundle();
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      t = await createPanelTestApp({ clock });
      mia = await createUser(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
      for (let i = 0; i < 6; i++) {
        await createTicket(t.ctx, { subject: `Question about shipping ${i}`, message: 'When will it ship?' });
      }
      urgent = await createTicket(t.ctx, {
        name: 'Cara Customer',
        email: 'cara@example.com',
        subject: 'Charged twice',
        message: 'My card was charged twice for one order.',
      });
      // Minutes apart, as in life: the thread's order is the order of events.
      clock.advance(60_000);
      await addCustomerMessage(
        t.ctx,
        {
          ticketId: urgent.id,
          fromEmail: 'cara@example.com',
          fromName: 'Cara Customer',
          subject: 'Re: Charged twice',
          bodyText: 'The second charge says Zebrafinch Payments on my statement.',
          bodyHtml: null,
          messageId: '<morning-queue-1@mail.example>',
          inboundMailId: null,
          channel: 'email',
        },
        { source: 'worker' },
      );
      // Its first response is due in 20 minutes: the one ticket "breaching soon" (the others were
      // just submitted, with hours of business time left).
      await t.ctx.db.pool.query(
        `UPDATE contact_submissions SET sla_first_response_due_at = now() + interval '20 minutes' WHERE id = $1`,
        [urgent.id],
      );
      await createCannedReply(
        t.ctx,
        mia,
        {
          name: 'Double charge refunded',
          scope: 'personal',
          body: 'Hello {{ customer.first_name | default: "there" }}, we refunded the second charge on {{ ticket.number }}. {{ moderator.first_name }}',
        },
        { source: 'system' },
      );
      clock.advance(60_000);
      server = await listenOnLoopback(t.app);
      browser = await launchChromium(chromiumPath!);
      page = await browser.context.newPage();
      await page.setViewportSize({ width: 1440, height: 900 });
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (e) => problems.push(e.message));
      await signInToPanel(page, server.url, mia);
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      await t?.close();
    });

    const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS_DIR, `morning-${name}.png`) });
    const rowIds = () => page.locator(ROWS).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-id')));

    test('when the moderator works the Breaching soon view, then the ticket is found, answered, tagged and counted', async () => {
      await page.goto(`${server.url}/admin/resources/tickets`);
      await page.getByTestId('view-breaching-soon').click();
      await page.waitForURL(/filters\.view=breaching-soon/);
      await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, ROWS);
      assert.deepEqual(await rowIds(), [urgent.id]);
      assert.match(await page.getByTestId('view-breaching-soon').innerText(), /1$/);
      // The SLA column names the running clock (first response) and its time left.
      const due = page.locator(ROWS).first().getByTestId('sla-due');
      assert.match(await due.innerText(), /^Due in 1\d min$/);
      assert.match((await due.getAttribute('title')) ?? '', /^First response due /);
      await shot('breaching-soon');

      // `/` to search, a word only the customer's email reply has.
      await page.getByTestId('view-unassigned').click();
      await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 7, ROWS);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('/');
      await page.keyboard.type('zebrafinch');
      await page.keyboard.press('Enter');
      await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, ROWS);
      assert.deepEqual(await rowIds(), [urgent.id]);

      // `o` opens it; `r` goes to the reply box; `#` picks the canned reply by name.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('o');
      await page.waitForURL(new RegExp(`/records/${urgent.id}/show`));
      await page.getByTestId('ticket-workspace').waitFor();
      await page.getByTestId('thread-message').filter({ hasText: 'Zebrafinch' }).waitFor();
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('r');
      await page.keyboard.type('#');
      await page.getByTestId('canned-search').fill('double');
      await page.getByTestId('canned-item').filter({ hasText: 'Double charge refunded' }).waitFor();
      await page.getByTestId('canned-search').press('Enter');
      const body = page.getByTestId('reply-body');
      await page.waitForFunction(
        () => (document.querySelector('[data-testid="reply-body"]') as HTMLTextAreaElement).value !== '',
      );
      const expected = `Hello Cara, we refunded the second charge on ${urgent.ticketNumber}. Mia`;
      assert.equal(await body.inputValue(), expected);
      await page.getByTestId('send-reply').click();
      await page.getByTestId('thread-message').filter({ hasText: 'we refunded the second charge' }).waitFor();

      // Tagged from the side column.
      await page.getByTestId('tag-input').fill('refund');
      await page.getByTestId('tag-input').press('Enter');
      await page.locator('[data-testid="tag-chip"][data-tag="refund"]').waitFor();
      await shot('answered');

      // What the customer gets and what the ticket now says.
      const { rows: ticket } = await t.ctx.db.pool.query(
        `SELECT status::text AS status, assigned_to_id, sla_first_response_at IS NOT NULL AS responded,
         (SELECT array_agg(g.name) FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = c.id) AS tags,
         (SELECT count(*)::int FROM email_deliveries d WHERE d.ticket_id = c.id AND d.kind = 'ticket_reply') AS reply_mails
       FROM contact_submissions c WHERE c.id = $1`,
        [urgent.id],
      );
      assert.deepEqual(ticket[0], {
        status: 'in_progress',
        assigned_to_id: mia.id,
        responded: true,
        tags: ['refund'],
        reply_mails: 1,
      });

      // The dashboard: first response on time, 100 % of the one decided clock.
      clock.advance(61_000);
      await page.goto(`${server.url}/admin`);
      const card = page.getByTestId('count-sla_first_response_30d');
      await card.waitFor();
      const text = await card.innerText();
      assert.match(text, /\(1 tickets?\)/);
      assert.match(text, /100/);
      await shot('dashboard');
      assert.deepEqual(problems, []);
    });
  },
);

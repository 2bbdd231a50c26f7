// The ticket list in a real Chromium at 1440×900: at least 15 dense rows fit on the screen, no
// cell of the first row wraps (a broken word such as "Unassigne/d" would make a cell taller than
// one line), the search box finds a ticket by a word only its customer's email reply contains, a
// saved view applies, j/k/o work from the keyboard, and axe finds nothing serious in the list.
// Screenshots go to test-artifacts/list-*.png.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { addCustomerMessage } from '../../src/conversation/customer-message.js';
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
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS_DIR, `list-${name}.png`) });

/** axe's serious and critical findings inside the list (AdminJS's own chrome is not ours to fix). */
async function axeSerious(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            el: Element,
          ): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }>;
        };
      }
    ).axe;
    const root = document.querySelector('[data-testid="ticket-list"]')!;
    return (await axe.run(root)).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      where: v.nodes[0]?.target.join(' '),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${v.where}`);
}

describe('ticket list in a real browser', () => {
  let t: TestApp;
  let server: ListeningApp;
  let launched: LaunchedBrowser;
  let page: Page;
  let mia: TestUser;
  let replied: { id: string; ticketNumber: string };
  const problems: string[] = [];

  const rows = () => page.locator('[data-testid="ticket-list"] tbody tr[data-id]');
  const waitForRows = async (n: number) => {
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="ticket-list"] tbody tr[data-id]').length === count,
      n,
    );
  };

  before(async () => {
    if (!chromiumPath) return;
    ensureAdminBundle();
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    t = await createPanelTestApp();
    mia = await createUser(t.ctx, { role: 'moderator', name: 'Mia Moderator' });
    for (let i = 0; i < 24; i++) {
      await createTicket(t.ctx, {
        name: `Customer Number ${i}`,
        subject:
          i % 3 ? `Cannot download the quarterly invoice ${i}` : `Unassigned question about internationalisation ${i}`,
        message: 'Hello, the download button on the billing page does nothing when I click it. Please help.',
        category: i % 2 ? 'account' : 'feature',
      });
    }
    replied = await createTicket(t.ctx, {
      name: 'Rita Reply',
      subject: 'Parcel damaged',
      message: 'The box was crushed.',
    });
    await addCustomerMessage(
      t.ctx,
      {
        ticketId: replied.id,
        fromEmail: 'rita@example.com',
        fromName: 'Rita Reply',
        subject: 'Re: Parcel damaged',
        bodyText: 'It was delivered by Quokkaparcel, who threw it over the fence.',
        bodyHtml: null,
        messageId: '<list-browser-1@mail.example>',
        inboundMailId: null,
        channel: 'email',
      },
      { source: 'api' },
    );
    server = await listenOnLoopback(t.app);
    launched = await launchChromium(chromiumPath);
    page = await launched.context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => problems.push(e.message));
    await signInToPanel(page, server.url, mia);
  });

  after(async () => {
    if (!chromiumPath) return;
    await launched?.close();
    await server?.close();
    await t?.close();
  });

  test('when a moderator opens the list at 1440×900, then 15+ one-line rows show, labelled and titled', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    await page.goto(`${server.url}/admin/resources/tickets`);
    await waitForRows(20);
    await page.getByTestId('ticket-search').waitFor();
    const visible = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('[data-testid="ticket-list"] tbody tr[data-id]')).filter((r) => {
          const box = r.getBoundingClientRect();
          return box.top >= 0 && box.bottom <= window.innerHeight;
        }).length,
    );
    assert.ok(visible >= 15, `only ${visible} rows fit on the screen`);

    // Every cell of the first row is one line: its content (a range over it) is no taller than
    // one line box, and nothing may break inside a word.
    const tall = await page.evaluate(() => {
      const row = document.querySelector('[data-testid="ticket-list"] tbody tr[data-id]')!;
      // The row-actions cell holds an icon button, no text.
      return Array.from(row.querySelectorAll('td:not(.options)')).flatMap((td) => {
        const style = getComputedStyle(td);
        const line = parseFloat(style.lineHeight) || 20;
        const range = document.createRange();
        range.selectNodeContents(td);
        const height = range.getBoundingClientRect().height;
        const breaks =
          style.wordBreak === 'break-all' || style.wordBreak === 'break-word' || style.whiteSpace !== 'nowrap';
        return height > line * 1.5 || breaks
          ? [
              `${(td as HTMLElement).dataset.propertyName ?? td.className}: ${height}px, ${style.wordBreak}/${style.whiteSpace}`,
            ]
          : [];
      });
    });
    assert.deepEqual(tall, []);
    // The ticket number is never cut: a clipped last digit would name another ticket.
    const numberClipped = await page.evaluate(() => {
      const td = document.querySelector<HTMLElement>(
        '[data-testid="ticket-list"] tbody tr[data-id] td[data-property-name="ticketNumber"]',
      )!;
      const inner = (td.firstElementChild as HTMLElement | null) ?? td;
      return [td.scrollWidth > td.clientWidth, inner.scrollWidth > inner.clientWidth];
    });
    assert.deepEqual(numberClipped, [false, false], 'the ticket number fits its column');
    // Human labels (not raw values), a relative age with the absolute date on hover, the title.
    const first = rows().first();
    assert.equal(await first.locator('[data-property-name="assignedToId"]').textContent(), 'Unassigned');
    const category = await first.locator('[data-property-name="category"]').evaluate((el) => el.outerHTML);
    assert.match(category, />General</, category);
    assert.equal(await first.getByTestId('age').innerText(), 'just now');
    assert.match((await first.getByTestId('age').getAttribute('title')) ?? '', /\d{4}, \d{2}:\d{2}/);
    await page.getByRole('heading', { name: 'Tickets' }).first().waitFor();
    assert.equal(await page.getByRole('heading', { name: 'List', exact: true }).count(), 0);
    await shot(page, 'initial');
    assert.deepEqual(await axeSerious(page), []);
  });

  test('when the moderator searches a word from the customer’s email reply, then that ticket is the one found', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'cd-ticket-search');
    await page.keyboard.type('quokkaparcel');
    await page.keyboard.press('Enter');
    await waitForRows(1);
    assert.equal(await rows().first().getAttribute('data-id'), replied.id);
    assert.match(page.url(), /filters\.q=quokkaparcel/);
    await shot(page, 'search');
  });

  test('when the moderator saves and applies a view, then the list and its count follow it', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    await page.goto(`${server.url}/admin/resources/tickets?filters.q=internationalisation`);
    await waitForRows(8);
    await page.getByTestId('save-view').click();
    await page.fill('#cd-view-name', 'Internationalisation');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const saved = page.locator('[data-testid^="view-"]', { hasText: 'Internationalisation' });
    await saved.waitFor();
    await page.waitForURL(/filters\.view=/);
    await waitForRows(8);
    assert.match(await saved.innerText(), /8$/);
    // A built-in view: nothing is assigned to Mia yet.
    await page.getByTestId('view-my-open').click();
    await waitForRows(0);
    await page.getByTestId('view-unassigned').click();
    await waitForRows(20);
    assert.match(await page.getByTestId('view-unassigned').innerText(), /25$/);
    await saved.click();
    await waitForRows(8);
    await shot(page, 'view');
  });

  test('when the moderator uses j/k/o and ?, then the cursor moves, the ticket opens and the keys show', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    await page.goto(`${server.url}/admin/resources/tickets`);
    await waitForRows(20);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const cursorId = () => page.locator('tbody tr[data-cursor]').getAttribute('data-id');
    const ids = await rows().evaluateAll((rs) => rs.map((r) => r.getAttribute('data-id')));
    assert.equal(await cursorId(), ids[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    assert.equal(await cursorId(), ids[2]);
    await page.keyboard.press('k');
    assert.equal(await cursorId(), ids[1]);
    await page.keyboard.press('?');
    await page.getByTestId('keys-help').waitFor();
    await shot(page, 'keys');
    await page.keyboard.press('Escape');
    await page.keyboard.press('o');
    await page.waitForURL(new RegExp(`/records/${ids[1]}/show`));
    await page.getByTestId('ticket-workspace').waitFor();
    assert.deepEqual(problems, []);
  });
});

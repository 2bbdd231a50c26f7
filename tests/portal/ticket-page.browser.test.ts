// The customer's ticket page in a real browser, opened from the link in a real mail (worker →
// SMTP sink, link parsed out of the text part): status and the public thread without the staff's
// internal note, a reply typed into the textarea lands in the thread as customer/portal, "Mark
// as solved" resolves it, and the rating question appears. No request leaves the app's origin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { listenOnLoopback, type ListeningApp } from '../helpers/app.js';
import { CHROMIUM_MISSING, findChromium, launchChromium, type LaunchedBrowser } from '../helpers/browser.js';
import { createUserWithToken } from '../helpers/factories.js';
import { mailTestEnv, waitForQueueDrained, type MailTestEnv } from '../mail/mail-setup.js';
import { API, linkPathIn, submitWithLink } from './portal-setup.js';

const chromiumPath = findChromium();
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe's serious and critical findings. Evaluated through the driver: the page's CSP rightly refuses injected scripts. */
async function axeSerious(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } })
      .axe;
    return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact})`);
}

describe('the customer ticket page in Chromium', () => {
  let env: MailTestEnv;
  let server: ListeningApp;
  let base: string;
  let launched: LaunchedBrowser;
  let mod: Awaited<ReturnType<typeof createUserWithToken>>;

  before(async () => {
    if (!chromiumPath) return;
    env = await mailTestEnv();
    mod = await createUserWithToken(env.ctx, { role: 'moderator', name: 'Mo Derator' });
    server = await listenOnLoopback(env.t.app);
    base = server.url;
    launched = await launchChromium(chromiumPath);
  });

  after(async () => {
    if (!chromiumPath) return;
    await launched?.close();
    await server?.close();
    await env?.close();
  });

  test('when the customer follows the mailed link, then they read the thread (never the note), reply, mark it solved and rate it', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    const { ticket, email, path } = await submitWithLink(env, { subject: 'Parcel never arrived' });
    await request(env.t.app)
      .post(`${API}/${ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'note', body: 'INTERNAL: courier blames us' })
      .expect(201);
    await request(env.t.app)
      .post(`${API}/${ticket.id}/messages`)
      .set(mod.auth)
      .send({ kind: 'reply', body: 'Sorry, we are checking with the courier.' })
      .expect(201);
    await waitForQueueDrained(env.ctx);
    // The reply mail links to the page too.
    const replyMail = env.sink.to(email).find((m) => m.parsed.subject?.includes('Re: Parcel'));
    assert.ok(replyMail);
    linkPathIn(replyMail);

    const page = await launched.context.newPage();
    page.setDefaultTimeout(20_000);
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) foreign.push(r.url());
    });
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') cspErrors.push(m.text());
    });
    await page.goto(`${base}${path}`);
    assert.equal(await page.locator('h1').innerText(), `Ticket ${ticket.ticket_number}: Parcel never arrived`);
    assert.equal(await page.locator('#status').innerText(), 'In progress');
    assert.deepEqual(await axeSerious(page), [], 'the open ticket page passes axe');
    const thread = await page.locator('ol.thread').innerText();
    assert.ok(thread.includes('Order 1001 is late.'), thread);
    assert.ok(thread.includes('Sorry, we are checking with the courier.'), thread);
    assert.ok(!thread.includes('INTERNAL'), 'the internal note is not on the customer page');
    assert.ok(!(await page.content()).includes('courier blames us'));

    await page.getByLabel('Your reply').fill('Thanks, I will wait until Friday.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.waitForURL(/done=sent/);
    assert.ok((await page.locator('ol.thread').innerText()).includes('Thanks, I will wait until Friday.'));
    const messages = await request(env.t.app).get(`${API}/${ticket.id}/messages`).set(mod.auth).expect(200);
    const mine = messages.body.messages.find(
      (m: { body_text: string }) => m.body_text === 'Thanks, I will wait until Friday.',
    );
    assert.ok(mine, 'the reply is in the thread the staff see');
    assert.equal(mine.kind, 'customer');
    assert.equal(mine.channel, 'portal');
    assert.equal(mine.author.type, 'customer');
    assert.equal(mine.author.email, email);

    await page.getByRole('button', { name: 'Mark as solved' }).click();
    await page.waitForURL(/done=solved/);
    assert.equal(await page.locator('#status').innerText(), 'Solved');
    const { rows: events } = await env.ctx.db.pool.query(
      `SELECT source, actor_id FROM contact_submission_events WHERE ticket_id = $1 AND status = 'resolved' ORDER BY event_id LIMIT 1`,
      [ticket.id],
    );
    assert.deepEqual(events[0], { source: 'api', actor_id: null }, 'resolved by the customer, audited as api');

    await page.getByRole('button', { name: 'Yes, it did' }).click();
    await page.waitForURL(/done=rated/);
    assert.ok((await page.content()).includes('Your answer: Yes, it did.'));
    assert.deepEqual(await axeSerious(page), [], 'the solved page with its rating question passes axe');
    await page.goto(`${base}/t/find`);
    assert.deepEqual(await axeSerious(page), [], 'the find page passes axe');
    assert.deepEqual(foreign, [], 'no request left the app');
    assert.deepEqual(cspErrors, [], 'nothing was blocked by the page CSP');
    await page.close();
  });

  test('when the browser prefers German or the ticket is Arabic, then the page is translated (Arabic right to left)', async (tt) => {
    if (!chromiumPath) return tt.skip(CHROMIUM_MISSING);
    const { ticket, path } = await submitWithLink(env, { subject: 'Sprache' });
    const page = await launched.context.newPage();
    await page.goto(`${base}${path}?lang=de`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    assert.ok((await page.locator('body').innerText()).includes('Ihre Antwort'));
    await env.ctx.db.pool.query(`UPDATE contact_submissions SET language = 'ar' WHERE id = $1`, [ticket.id]);
    await page.goto(`${base}${path}`);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ar');
    await page.close();
  });
});

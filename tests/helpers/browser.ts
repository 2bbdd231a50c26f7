// A real browser for panel tests: Debian's chromium driven by playwright-core (never a downloaded
// browser). CHROMIUM_PATH overrides the default /usr/bin/chromium; without one, tests skip with
// the install hint — except on CI (CI=true), where a missing browser fails the run: a skipped
// browser suite there would report green while testing nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_BUNDLE_FILE, ADMIN_COMPONENTS_DIR, PROJECT_ROOT } from '../../admin/paths.js';

export const CHROMIUM_MISSING = 'chromium not found: apt-get install chromium';

const isCi = (env: NodeJS.ProcessEnv) => !!env.CI && !['false', '0'].includes(env.CI.trim().toLowerCase());

/**
 * The browser to use, or null (tests then skip with CHROMIUM_MISSING). An explicit CHROMIUM_PATH
 * is the only candidate: a wrong path is a mistake to report, not a cue to try another browser.
 * Throws on CI, where the test file then fails to load and the run fails.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.CHROMIUM_PATH ? [env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p) => existsSync(p)) ?? null;
  if (!found && isCi(env)) {
    throw new Error(`CI=${env.CI} and no browser at ${candidates.join(' or ')}: ${CHROMIUM_MISSING}`);
  }
  return found;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time (a persistent context in a new temporary user-data-dir). */
export async function launchChromium(executablePath: string): Promise<LaunchedBrowser> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'cd-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Builds admin-bundle/bundle.js when it is missing or older than a component source. */
export function ensureAdminBundle(): void {
  const newestComponent = Math.max(
    ...readdirSync(ADMIN_COMPONENTS_DIR).map((f) => statSync(path.join(ADMIN_COMPONENTS_DIR, f)).mtimeMs),
  );
  if (existsSync(ADMIN_BUNDLE_FILE) && statSync(ADMIN_BUNDLE_FILE).mtimeMs >= newestComponent) return;
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bundle-admin.ts'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error('bundling the panel components failed');
}

export const ARTIFACTS_DIR = path.join(PROJECT_ROOT, 'test-artifacts');

/** Signs in through the panel's real login form and waits for the dashboard. */
export async function signInToPanel(
  page: Page,
  baseUrl: string,
  user: { email: string; password: string },
): Promise<void> {
  await page.goto(`${baseUrl}/admin/login`);
  await page.fill('input[name="email"]', user.email);
  await page.fill('input[name="password"]', user.password);
  await page.getByRole('button', { name: /log in/i }).click();
  await page.waitForURL(`${baseUrl}/admin`);
}

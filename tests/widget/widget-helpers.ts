// Shared by the widget tests and bench/widget.ts: the bundle built from widget/src when missing or
// stale, the desk listening on a port, and a website on a SECOND origin that embeds the widget.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../../admin/paths.js';
import { WIDGET_BUNDLE_FILE } from '../../src/widget/widget-bundle.js';

export function ensureWidgetBundle(): void {
  const dir = path.join(PROJECT_ROOT, 'widget', 'src');
  const newest = Math.max(...readdirSync(dir).map((f) => statSync(path.join(dir, f)).mtimeMs));
  if (existsSync(WIDGET_BUNDLE_FILE) && statSync(WIDGET_BUNDLE_FILE).mtimeMs >= newest) return;
  const res = spawnSync(process.execPath, ['widget/build.mjs'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('building the widget bundle failed');
}

export interface Listening {
  url: string;
  close(): Promise<void>;
}

export async function listen(handler: http.RequestListener, port = 0): Promise<Listening> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: p } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${p}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A free port, so ALLOWED_ORIGINS can name the website before the website is started. */
export async function freePort(): Promise<number> {
  const probe = await listen((_req, res) => res.end());
  const port = Number(new URL(probe.url).port);
  await probe.close();
  return port;
}

/**
 * The website: `/` is the given page body inside <html lang=...>, loading the widget from the
 * desk. `/plain` is a plain HTML form posting to the desk (the benchmark's baseline).
 */
export function websiteHandler(deskUrl: string, pages: Record<string, { lang: string; body: string }>) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://site');
    const page = pages[url.pathname];
    if (!page) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(
      `<!doctype html><html lang="${page.lang}"><head><meta charset="utf-8"><title>Shop</title>` +
        `<script src="${deskUrl}/widget.js" defer></script></head><body><main><h1>Contact</h1>${page.body}</main></body></html>`,
    );
  };
}

export const plainFormPage = (deskUrl: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><main><h1>Contact</h1>` +
  `<form method="post" action="${deskUrl}/api/v1/contact/submit">` +
  ['name', 'email', 'subject'].map((f) => `<label>${f} <input name="${f}" required></label>`).join('') +
  `<label>message <textarea name="message" required></textarea></label>` +
  `<input type="hidden" name="website" value=""><button>Send</button></form></main></body></html>`;

// Security headers for the panel: helmet with a Content-Security-Policy the AdminJS pages work
// under, and the one rewrite of AdminJS's server-rendered HTML that this needs.
//
// AdminJS's pages carry inline <script> blocks (window.REDUX_STATE = …, createRoot(…)), so
// script-src allows them by a per-request nonce rather than 'unsafe-inline'. Adding the nonce to
// every <script> tag would also bless a tag smuggled in through the JSON state (a user's name
// containing `</script><script>…`), so the state lines get `<` escaped as \u003c first: after
// that the only <script> tags left in the page are AdminJS's own. Styles stay 'unsafe-inline':
// styled-components injects <style> elements and React sets style attributes at runtime.
// The panel makes no third-party requests: fonts.ts serves the font AdminJS would take from Google
// Fonts; any Google Fonts <link> still left is dropped here.
import { randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

type Locals = { cspNonce?: string };
const nonceOf = (res: Response) => (res.locals as Locals).cspNonce ?? '';

export function panelCspDirectives(opts: { https: boolean }) {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", (_req: unknown, res: unknown) => `'nonce-${nonceOf(res as Response)}'`],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    // Over plain http (local use) upgrading would break every request; behind https it is free.
    upgradeInsecureRequests: opts.https ? [] : null,
  };
}

/** helmet for the panel, with a fresh nonce per request for AdminJS's inline scripts. */
export function panelSecurityHeaders(opts: { https: boolean }): RequestHandler[] {
  const setNonce: RequestHandler = (_req, res, next) => {
    (res.locals as Locals).cspNonce = randomBytes(16).toString('base64');
    next();
  };
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: panelCspDirectives(opts) },
    // Same-origin only: the panel is never framed (frame-ancestors above, X-Frame-Options here).
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
  });
  return [setNonce, headers];
}

const FONT_LINK = /<link rel="stylesheet" href="https:\/\/fonts\.googleapis\.com[^>]*>/g;
// One JSON value per line: JSON.stringify never emits a raw newline.
const STATE_LINE = /^(\s*window\.[A-Za-z_]+ = )(.*)$/gm;

/** Makes one AdminJS page CSP-safe: escaped state, nonced scripts, no third-party font link. */
export function securePanelHtml(html: string, nonce: string): string {
  return html
    .replace(STATE_LINE, (_m, head: string, value: string) => head + value.replace(/</g, '\\u003c'))
    .replace(/<script(?=[\s>])/g, `<script nonce="${nonce}"`)
    .replace(FONT_LINK, '');
}

/**
 * Wraps res.send for panel requests: full HTML pages (AdminJS's login and app pages, our logout
 * page) go through `rewrite` and securePanelHtml; JSON and files pass untouched.
 */
export function rewritePanelPages(rewrite: (html: string) => string): RequestHandler {
  return (_req, res, next) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (typeof body === 'string' && /^\s*<!DOCTYPE html>/i.test(body) && !res.get('Content-Type')?.includes('json')) {
        return send(securePanelHtml(rewrite(body), nonceOf(res)));
      }
      return send(body);
    };
    next();
  };
}

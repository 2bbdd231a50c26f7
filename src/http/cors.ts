// CORS for /api/v1 (issue 13). Before this, a fetch() from a website's own origin created the
// ticket and its mails, and then the browser hid the answer ("Failed to fetch"), inviting a second
// submission. Now the decision is taken from the Origin header BEFORE any body is parsed or row
// written:
//   - no Origin (curl, server-to-server) or our own origin: untouched, no CORS headers;
//   - an origin on ALLOWED_ORIGINS: the answer carries Access-Control-Allow-Origin, and the
//     preflight (OPTIONS) is answered 204 here;
//   - any other origin: 403 origin_not_allowed, nothing written.
// One exception: a top-level form navigation (Sec-Fetch-Mode: navigate) to the public submit.
// The plain HTML form of docs/foundation.md posts from the owner's site and the visitor SEES the
// answer page, so refusing it would only break forms that work today; redirect_to still requires
// an allowed origin (contact.routes.ts).
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/** Request headers the widget (and other browser clients) may send. */
const ALLOWED_HEADERS = 'Content-Type, Authorization, Idempotency-Key, Accept-Language';
const ALLOWED_METHODS = 'GET, POST, PATCH, PUT, DELETE, OPTIONS';
/** Browsers cap this themselves (Chromium: 2 h); 10 min keeps a changed allow-list quick to apply. */
const PREFLIGHT_MAX_AGE = '600';

export interface CorsOptions {
  allowedOrigins: readonly string[];
  /** PUBLIC_URL's origin: the panel and the built-in pages call the API from it. */
  ownOrigin: string;
  /** Paths (relative to the mount point) a cross-site form navigation may post to. */
  formPaths: readonly string[];
}

export const originNotAllowed = (origin: string) =>
  new AppError({
    code: 'origin_not_allowed',
    status: 403,
    message: `Origin ${origin} is not allowed to call this API (ALLOWED_ORIGINS)`,
  });

export function cors(opts: CorsOptions): RequestHandler {
  const allowed = new Set(opts.allowedOrigins);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin === undefined) return next();
    // Same origin, also when reached under another host name than PUBLIC_URL (a browser's Origin
    // and Host headers are both its own; a non-browser client could forge either anyway).
    if (origin === opts.ownOrigin || origin === `${req.protocol}://${req.get('host')}`) return next();
    if (!allowed.has(origin)) {
      const navigation = req.get('sec-fetch-mode') === 'navigate' && req.method === 'POST';
      if (navigation && opts.formPaths.includes(req.path)) return next();
      return next(originNotAllowed(origin));
    }
    res.vary('Origin');
    res.setHeader('Access-Control-Allow-Origin', origin);
    // The widget reads the Retry-After of a 429 and the replay marker of an Idempotency-Key.
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After, Idempotent-Replayed, X-Request-Id');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
      return res.status(204).end();
    }
    next();
  };
}

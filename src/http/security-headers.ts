// Security headers and compression for the whole app. The API and the public form pages get
// helmet's defaults (a strict CSP that their plain, script-free HTML passes), the panel under
// /admin sets its own (admin/security.ts: AdminJS needs nonced inline scripts), so the API's
// helmet skips it rather than sending two policies.
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

export function apiSecurityHeaders(opts: { https: boolean; skipPrefix: string }): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: {
      directives: {
        frameAncestors: ["'none'"],
        // Over plain http (local use) upgrading would break every request; behind https it is free.
        upgradeInsecureRequests: opts.https ? [] : null,
      },
    },
    xFrameOptions: { action: 'deny' },
  });
  const inPanel = (path: string) => path === opts.skipPrefix || path.startsWith(`${opts.skipPrefix}/`);
  return (req, res, next) => (inPanel(req.path) ? next() : headers(req, res, next));
}

/**
 * gzip/brotli per Accept-Encoding for everything compressible (JSON, HTML, the panel's
 * JavaScript) except CSV downloads. Streaming and hang-up detection do survive a compressor (the
 * export tests pass with Accept-Encoding: gzip), but a full export is hundreds of MB that one of
 * the machine's two cores would spend seconds compressing while web requests wait; exports are
 * rare, large and downloaded once, so they stay a plain stream (a proxy may still compress them).
 */
export function compressResponses(): RequestHandler {
  return compression({
    filter: (req: Request, res: Response) =>
      !String(res.getHeader('Content-Type') ?? '').startsWith('text/csv') && compression.filter(req, res),
  });
}

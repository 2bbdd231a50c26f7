// The embeddable form's two public files, loaded by other sites' pages (docs/widget.md):
//   GET /widget.js              the lit web component bundle (pre-built, pre-compressed)
//   GET /widget/config.json     validation rules and strings for ?lang=xx (widget-config.ts)
// Both are public and cross-origin by nature: Cross-Origin-Resource-Policy: cross-origin (helmet's
// same-origin default would make browsers drop them) and, for the JSON, Access-Control-Allow-Origin
// `*` (it holds nothing private; the submit itself is what ALLOWED_ORIGINS guards).
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { pickLanguage } from '../i18n/language.js';
import { widgetBundle } from './widget-bundle.js';
import { widgetConfig } from './widget-config.js';

/** Unversioned URL: a day, then revalidated with the ETag (a 304 is a few bytes). */
const CACHE_UNVERSIONED = 'public, max-age=86400, stale-while-revalidate=604800';
/** `?v=<hash>` names one build for ever. */
const CACHE_VERSIONED = 'public, max-age=31536000, immutable';
const CACHE_CONFIG = 'public, max-age=3600';

function crossOrigin(res: Response): void {
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

export function createWidgetRouter(ctx: AppContext): Router {
  const router = Router();
  const production = ctx.config.isProduction;

  router.get('/widget.js', (req: Request, res: Response) => {
    const bundle = widgetBundle({ production });
    if (!bundle) {
      throw new AppError({
        code: 'not_found',
        status: 404,
        message: 'The widget bundle is not built: run npm run build',
      });
    }
    crossOrigin(res);
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', req.query.v === bundle.version ? CACHE_VERSIONED : CACHE_UNVERSIONED);
    res.setHeader('ETag', bundle.etag);
    res.vary('Accept-Encoding');
    if (req.fresh) return res.status(304).end();
    // Content-Encoding set here: the compression middleware leaves the response alone.
    const encoding = req.acceptsEncodings('br', 'gzip', 'identity');
    const body = encoding === 'br' ? bundle.br : encoding === 'gzip' ? bundle.gzip : bundle.raw;
    if (encoding === 'br' || encoding === 'gzip') res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', String(body.length));
    res.end(req.method === 'HEAD' ? undefined : body);
  });

  router.get('/widget/config.json', (req: Request, res: Response) => {
    const lang = pickLanguage(req.query.lang, req.get('accept-language'));
    crossOrigin(res);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', CACHE_CONFIG);
    // Without ?lang the answer depends on the browser's language.
    if (req.query.lang === undefined) res.vary('Accept-Language');
    const {
      ATTACHMENT_MAX_FILES: maxFiles,
      ATTACHMENT_MAX_BYTES: maxBytes,
      ATTACHMENT_MAX_TOTAL_BYTES: maxTotalBytes,
    } = ctx.config;
    res.json(widgetConfig(lang, ctx.config.HONEYPOT_FIELD, { maxFiles, maxBytes, maxTotalBytes }));
  });

  return router;
}

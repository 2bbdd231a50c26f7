// The panel's static files: always the production (minified) bundles, served with long-lived
// caching under content-versioned URLs.
//
// AdminJS picks app/global/design-system bundles from NODE_ENV at import time, so outside
// NODE_ENV=production it serves the development builds (~26 MB of unminified JavaScript on a cold
// load) and bundles components on request. Here every mode serves the *.production.js files and
// the pre-built admin-bundle/bundle.js. Pages reference each script as `…/name.js?v=<hash of its
// content>` (see withAssetVersions), so those responses are `immutable` for a year; the hash is
// recomputed when a file's mtime or size changes, so `npm run build` in a running dev server
// gives the browser a new URL rather than a stale cached file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Router as AdminJsRouter } from 'adminjs';
import type { Request, Response, Router } from 'express';
import { ADMIN_BUNDLE_FILE } from './paths.js';

type Asset = (typeof AdminJsRouter.assets)[number];
type Route = (typeof AdminJsRouter.routes)[number];

export const COMPONENTS_ASSET = '/frontend/assets/components.bundle.js';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Unversioned requests (fonts referenced from CSS, old links): cached a day, then revalidated. */
export const UNVERSIONED = 'public, max-age=86400';

/** The production twin of a development bundle path (same folder, `.production.js`). */
export function productionSrc(src: string): string {
  const prod = src.replace(/\.development\.js$/, '.production.js');
  if (prod !== src && !existsSync(prod)) throw new Error(`AdminJS production bundle missing: ${prod}`);
  return prod;
}

/**
 * AdminJS's asset list with production bundles, plus the pre-built component bundle when it
 * exists (otherwise, outside production, AdminJS's own on-request bundling route stays: see
 * panelRoutes).
 */
export function panelAssets(assets: Asset[]): Asset[] {
  const list = assets.filter((a) => a.path !== COMPONENTS_ASSET).map((a) => ({ ...a, src: productionSrc(a.src) }));
  if (existsSync(ADMIN_BUNDLE_FILE)) list.push({ path: COMPONENTS_ASSET, src: ADMIN_BUNDLE_FILE });
  return list;
}

/** AdminJS's routes minus its component-bundling route when we serve the pre-built bundle. */
export function panelRoutes(routes: Route[], assets: Asset[]): Route[] {
  const served = assets.some((a) => a.path === COMPONENTS_ASSET);
  return routes.filter((r) => !(served && r.action === 'bundleComponents'));
}

const versions = new Map<string, { key: string; version: string }>();

/** A short content hash of the file, cached until its mtime or size changes. */
export function assetVersion(src: string): string {
  const st = statSync(src);
  const key = `${st.mtimeMs}:${st.size}`;
  const hit = versions.get(src);
  if (hit?.key === key) return hit.version;
  const version = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 16);
  versions.set(src, { key, version });
  return version;
}

/** Mounts each asset as a GET route with caching headers (ETag and Last-Modified from sendFile). */
export function mountAssets(router: Router, assets: Asset[]): void {
  for (const asset of assets) {
    const src = path.resolve(asset.src);
    router.get(asset.path, (req: Request, res: Response, next) => {
      const versioned = typeof req.query.v === 'string' && req.query.v === assetVersion(src);
      res.sendFile(src, { headers: { 'Cache-Control': versioned ? IMMUTABLE : UNVERSIONED } }, (err) => {
        if (err && !res.headersSent) next(err);
      });
    });
  }
}

/** Appends `?v=<content hash>` to every reference to one of `assets` in a panel page. */
export function withAssetVersions(html: string, rootPath: string, assets: Asset[]): string {
  let out = html;
  for (const asset of assets) {
    const url = `${rootPath}${asset.path}`;
    const src = path.resolve(asset.src);
    out = out.split(`"${url}"`).join(`"${url}?v=${assetVersion(src)}"`);
  }
  return out;
}

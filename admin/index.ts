// mountAdmin(app, ctx): the AdminJS moderator panel at /admin. Passed to buildApp by server.ts
// (and by the panel's tests); API-only tools never import AdminJS (about a second of start-up).
import type { Express } from 'express';
import type { Config } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { ADMIN_ROOT_PATH } from '../src/shared/panel-links.js';
import { configureAdminJsEnv } from './paths.js';

type PanelModules = [typeof import('./panel.js'), typeof import('./router.js')];

let loading: { modules: Promise<PanelModules>; bundleExists: boolean } | undefined;

/**
 * Starts importing AdminJS (the slowest part of start-up) without waiting for it: server.ts calls
 * this first thing, so the import overlaps the database start and migrations.
 */
export function preloadAdmin(config: Pick<Config, 'isProduction'>): void {
  if (loading) return;
  // Must happen before the first import of adminjs (it reads these at import time).
  const { bundleExists } = configureAdminJsEnv({ production: config.isProduction });
  const modules = Promise.all([import('./panel.js'), import('./router.js')]);
  modules.catch(() => {}); // reported by mountAdmin when it awaits
  loading = { modules, bundleExists };
}

export async function mountAdmin(app: Express, ctx: AppContext): Promise<void> {
  preloadAdmin(ctx.config);
  const [{ createAdmin }, { buildPanelRouter }] = await loading!.modules;
  const admin = await createAdmin(ctx);
  if (ctx.config.isProduction && !loading!.bundleExists) {
    // A production server never bundles on a request: without a pre-built bundle (npm run build
    // makes one), it bundles once here, before listening.
    ctx.logger.warn('admin-bundle/bundle.js is missing: bundling the panel components now (run `npm run build`)');
    await admin.initialize();
  } else if (!loading!.bundleExists) {
    // Outside production AdminJS then bundles on the first request, unminified (admin/assets.ts
    // serves the pre-built bundle when there is one).
    ctx.logger.warn(
      'admin-bundle/bundle.js is missing: the panel bundles its components on first use, unminified (run `npm run build`)',
    );
  }
  app.use(ADMIN_ROOT_PATH, await buildPanelRouter(ctx, admin));
}

// mountAdmin(app, ctx): the AdminJS moderator panel at /admin. Passed to buildApp by server.ts
// (and by the panel's tests); API-only tools never import AdminJS (about a second of start-up).
import type { Express } from 'express';
import type { AppContext } from '../src/context.js';
import { configureAdminJsEnv } from './paths.js';

export const ADMIN_PATH = '/admin';

export async function mountAdmin(app: Express, ctx: AppContext): Promise<void> {
  // Must happen before the first import of adminjs (it reads these at import time).
  const { bundleExists } = configureAdminJsEnv({ production: ctx.config.isProduction });
  const { createAdmin } = await import('./panel.js');
  const { buildPanelRouter } = await import('./router.js');
  const admin = await createAdmin(ctx);
  if (ctx.config.isProduction && !bundleExists) {
    // A production server never bundles on a request: without a pre-built bundle (npm run build
    // makes one), it bundles once here, before listening.
    ctx.logger.warn('admin-bundle/bundle.js is missing: bundling the panel components now (run `npm run build`)');
    await admin.initialize();
  }
  app.use(ADMIN_PATH, await buildPanelRouter(ctx, admin));
}

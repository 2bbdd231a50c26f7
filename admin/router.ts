// The panel's Express router, assembled from @adminjs/express's pieces so that sign-in can be
// ours: session → body parsing → login/logout → static assets → session user check → CSV export
// → AdminJS routes. (buildAuthenticatedRouter keeps the pre-login session id and has no hook to
// re-check the user on each request, hence the assembly.)
import { buildAssets, buildRoutes } from '@adminjs/express';
import { clientIp } from '../src/http/client-ip.js';
import { Router as AdminJsRouter, type AdminJS } from 'adminjs';
import express, { type Router } from 'express';
import formidable from 'express-formidable';
import type { AppContext } from '../src/context.js';
import {
  createSessionMiddleware,
  destroySession,
  panelSignIn,
  requirePanelUser,
  SESSION_COOKIE,
  startPanelSession,
} from './auth.js';
import { EXPORT_PATH, exportTicketsHandler } from './export.routes.js';

/** Path inside the router ('/admin/login' → '/login'). */
const local = (admin: AdminJS, full: string) => full.slice(admin.options.rootPath.length) || '/';

export async function buildPanelRouter(ctx: AppContext, admin: AdminJS): Promise<Router> {
  const { rootPath, loginPath, logoutPath } = admin.options;
  const router = express.Router();
  router.use(await createSessionMiddleware(ctx));
  // Forms and the panel's API calls (multipart, urlencoded or JSON); no file uploads.
  router.use(formidable({ maxFieldsSize: 1024 * 1024, maxFileSize: 1, multiples: false }));

  const renderLogin = (errorMessage: string | null) => admin.renderLogin({ action: loginPath, errorMessage });

  router.get(local(admin, loginPath), async (req, res) => {
    if (req.session.adminUser) return res.redirect(rootPath);
    res.send(await renderLogin(null));
  });

  router.post(local(admin, loginPath), async (req, res) => {
    const fields = (req as typeof req & { fields?: Record<string, unknown> }).fields ?? {};
    const outcome = await panelSignIn(ctx, {
      email: fields.email,
      password: fields.password,
      ip: clientIp(req),
      requestId: req.id,
    });
    if (!outcome.ok) {
      if (outcome.status === 429) res.set('Retry-After', '60');
      return res.status(outcome.status).send(await renderLogin(outcome.message));
    }
    await startPanelSession(req, outcome.actor, ctx.clock.now());
    res.redirect(rootPath);
  });

  const logout = async (req: express.Request, res: express.Response) => {
    if (req.session) await destroySession(req);
    res.clearCookie(SESSION_COOKIE, { path: '/admin' });
    res.redirect(loginPath);
  };
  router.get(local(admin, logoutPath), logout);
  router.post(local(admin, logoutPath), logout);

  // Scripts, styles and the component bundle: the login page needs them before anyone signs in.
  buildAssets({ admin, assets: AdminJsRouter.assets, routes: AdminJsRouter.routes, router });
  router.use(requirePanelUser(ctx, loginPath));
  router.get(EXPORT_PATH, exportTicketsHandler(ctx));
  buildRoutes({ admin, routes: AdminJsRouter.routes, router });
  return router;
}

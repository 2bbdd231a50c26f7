// The panel's Express router, assembled from @adminjs/express's pieces so that sign-in can be
// ours: security headers → session → body parsing → login/logout → static assets → session user
// check → CSV export → AdminJS routes. (buildAuthenticatedRouter keeps the pre-login session id and has no hook to
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
import { mountAssets, panelAssets, panelRoutes, withAssetVersions } from './assets.js';
import { mountFonts, withLocalFonts } from './fonts.js';
import { EXPORT_PATH, exportTicketsHandler } from './export.routes.js';
import { attachmentDownloadHandler } from '../src/attachments/attachments.routes.js';
import { sendPersonExport } from '../src/privacy/routes.js';
import { actorOf } from './access.js';
import { WORKSPACE_UPLOAD_PATH, workspaceUploadRoute } from './actions/ticket-conversation.actions.js';
import { logoutPage } from './logout-page.js';
import { panelSecurityHeaders, rewritePanelPages } from './security.js';

/** Path inside the router ('/admin/login' → '/login'). */
const local = (admin: AdminJS, full: string) => full.slice(admin.options.rootPath.length) || '/';

export async function buildPanelRouter(ctx: AppContext, admin: AdminJS): Promise<Router> {
  const { rootPath, loginPath, logoutPath } = admin.options;
  const router = express.Router();
  const assets = panelAssets(AdminJsRouter.assets);
  router.use(panelSecurityHeaders({ https: ctx.config.publicUrl.startsWith('https:') }));
  // Every page AdminJS renders: nonced scripts (security.ts), versioned asset URLs (assets.ts),
  // the font from here (fonts.ts).
  router.use(rewritePanelPages((html) => withLocalFonts(withAssetVersions(html, rootPath, assets), rootPath)));
  router.use(await createSessionMiddleware(ctx));
  // The workspace's reply with files: streamed by busboy (src/attachments), so before formidable.
  router.post(WORKSPACE_UPLOAD_PATH, requirePanelUser(ctx, loginPath), ...workspaceUploadRoute(ctx));
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
      if (outcome.status === 429) res.set('Retry-After', String(outcome.retryAfterSeconds));
      return res.status(outcome.status).send(await renderLogin(outcome.message));
    }
    await startPanelSession(req, outcome.actor, ctx.clock.now());
    res.redirect(rootPath);
  });

  // Logging out changes state, so only a POST does it (the panel's menu posts: components/
  // LoggedIn.tsx). A GET — an old bookmark, or a link or <img> on another site — gets a page with
  // a confirmation button instead. The session cookie is SameSite=Lax, so a cross-site form
  // POST arrives without it and signs nobody out.
  router.get(local(admin, logoutPath), (req, res) => {
    if (!req.session?.adminUser) return res.redirect(loginPath);
    res.send(logoutPage({ action: logoutPath, back: rootPath }));
  });
  router.post(local(admin, logoutPath), async (req, res) => {
    if (req.session) await destroySession(req);
    res.clearCookie(SESSION_COOKIE, { path: '/admin' });
    res.redirect(loginPath);
  });

  // Scripts, styles and the component bundle: the login page needs them before anyone signs in.
  mountAssets(router, assets);
  mountFonts(router);
  const routes = panelRoutes(AdminJsRouter.routes, assets);
  // Outside production without a pre-built bundle: AdminJS's own on-request bundling route.
  buildAssets({ admin, assets: [], routes, router });
  router.use(requirePanelUser(ctx, loginPath));
  router.get(EXPORT_PATH, exportTicketsHandler(ctx));
  // Administration → Privacy: a person's data as one ZIP (admins only: the service checks the role).
  router.get('/privacy/export', (req, res) => sendPersonExport(ctx, req, res, actorOf(req.session.adminUser), 'admin'));
  // Files of the thread, behind the same session check (the handler applies the access rule).
  router.get(
    '/attachments/:id',
    attachmentDownloadHandler(ctx, (req) => actorOf(req.session.adminUser)),
  );
  buildRoutes({ admin, routes, router });
  return router;
}

// Builds the Express app (no listen): server.ts and the tests both use it.
import express, { type Express } from 'express';
import { bearerAuth } from './auth/auth.middleware.js';
import { createAuthRouter } from './auth/auth.routes.js';
import type { AppContext } from './context.js';
import { createAuditEventsRouter, createTicketHistoryRouter } from './audit/audit.routes.js';
import { createPrivacyRouter } from './privacy/routes.js';
import { createPublicContactRouter } from './contact/contact.routes.js';
import { createModeratorContactRouter } from './contact/moderator.routes.js';
import { createConversationRouter } from './conversation/conversation.routes.js';
import { createAttachmentRouter } from './attachments/attachments.routes.js';
import { createInboundAdminRouter, createInboundMimeRouter } from './inbound/inbound.routes.js';
import { createWebhookRouter } from './webhooks/routes.js';
import { AppError, errorMiddleware } from './errors.js';
import { compileTrustProxy } from './http/client-ip.js';
import { cors } from './http/cors.js';
import { createWidgetRouter } from './widget/widget.routes.js';
import { createDocsRouter } from './http/docs.routes.js';
import { createPortalRouter } from './portal/portal.routes.js';
import { createHealthRouter } from './http/health.routes.js';
import { createTagsRouter, createTicketTagsRouter } from './tags/routes.js';
import { createCannedRepliesRouter } from './canned/routes.js';
import { createViewsRouter } from './views/views.routes.js';
import { createSlaRouter } from './sla/sla.routes.js';
import { requestContext } from './http/request-context.js';
import { apiSecurityHeaders, compressResponses } from './http/security-headers.js';

export interface BuildAppOptions {
  /**
   * Mounts the AdminJS panel. Passed in (rather than imported here) because importing AdminJS
   * costs about a second: API-only tests and tools skip it.
   */
  mountAdmin?: (app: Express, ctx: AppContext) => Promise<void>;
}

export const BODY_LIMIT = '64kb';

export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  // Behind a proxy, the client IP (rate limits, abuse metadata) comes from X-Forwarded-For, read
  // by proxy-addr under TRUST_PROXY (a hop count or the proxies' addresses). Never Express's own
  // `true`: it takes the left-most entry, which the client writes itself.
  app.set('trust proxy', compileTrustProxy(ctx.config.TRUST_PROXY));
  app.use(requestContext(ctx.logger));
  app.use(compressResponses());
  // The panel (mounted at /admin) sends its own CSP; everything else gets helmet's defaults.
  app.use(apiSecurityHeaders({ https: ctx.config.publicUrl.startsWith('https:'), skipPrefix: '/admin' }));
  app.use(createHealthRouter(ctx));
  // GET /api/v1/openapi.json and /api/docs: public, no token needed to read the API description.
  app.use(createDocsRouter());
  // GET /widget.js and /widget/config.json: the embeddable form (docs/widget.md), loaded cross-origin.
  app.use(createWidgetRouter(ctx));

  // /t/<token>: the customer's ticket page by signed link, and /t/find (docs/portal.md).
  app.use('/t', createPortalRouter(ctx));

  // AdminJS brings its own body parsing (formidable): it must be mounted before express.json().
  if (opts.mountAdmin) await opts.mountAdmin(app, ctx);

  const api = express.Router();
  // Origin check first: a request from a site not on ALLOWED_ORIGINS is refused before its body is read.
  api.use(
    cors({
      allowedOrigins: ctx.config.ALLOWED_ORIGINS,
      ownOrigin: new URL(ctx.config.publicUrl).origin,
      formPaths: ['/contact/submit'],
    }),
  );
  api.use(express.json({ limit: BODY_LIMIT, strict: true }));
  api.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 100 }));
  // Its Bearer value is the inbound secret, not an API token: mounted before the token check.
  api.use('/inbound/mime', createInboundMimeRouter(ctx));
  api.use(bearerAuth(ctx));
  api.use('/auth', createAuthRouter(ctx));
  api.use('/contact', createPublicContactRouter(ctx));
  api.use('/contact', createModeratorContactRouter(ctx));
  api.use('/contact', createTicketHistoryRouter(ctx));
  api.use('/contact', createConversationRouter(ctx));
  api.use('/contact', createTicketTagsRouter(ctx));
  api.use('/tags', createTagsRouter(ctx));
  api.use('/canned-replies', createCannedRepliesRouter(ctx));
  api.use('/views', createViewsRouter(ctx));
  // SLA calendar, policies and the digest opt-out (src/sla).
  api.use('/sla', createSlaRouter(ctx));
  api.use('/attachments', createAttachmentRouter(ctx));
  api.use('/audit/events', createAuditEventsRouter(ctx));
  // The customer's data rights: access export, erasure (docs/privacy.md).
  api.use('/privacy', createPrivacyRouter(ctx));
  api.use('/inbound', createInboundAdminRouter(ctx));
  // Outgoing webhooks (docs/webhooks.md): admins only.
  api.use('/webhooks', createWebhookRouter(ctx));
  app.use('/api/v1', api);

  app.use((req, _res, next) => {
    next(new AppError({ code: 'not_found', status: 404, message: `No route for ${req.method} ${req.path}` }));
  });
  app.use(errorMiddleware);
  return app;
}

// REST entry points of the audit trail: parse → service → respond. Read-only by design.
import { Router } from 'express';
import { requireAdminRole, requireStaffRole } from '../auth/auth.middleware.js';
import type { AppContext } from '../context.js';
import { getTicketHistory, listAuditEvents } from './audit.service.js';

/** GET /:id/history — mounted under /api/v1/contact next to the moderator ticket routes. */
export function createTicketHistoryRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/:id/history', requireStaffRole, async (req, res) => {
    res.json(await getTicketHistory(ctx, req.actor ?? null, String(req.params.id)));
  });
  return router;
}

/** GET / — every audit event, admins only; mounted at /api/v1/audit/events. */
export function createAuditEventsRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', requireAdminRole, async (req, res) => {
    // Repeated query keys arrive as arrays: keep the first so the schema reports a clear error.
    const filters = Object.fromEntries(
      Object.entries(req.query).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]),
    );
    res.json(await listAuditEvents(ctx, req.actor ?? null, filters));
  });
  return router;
}

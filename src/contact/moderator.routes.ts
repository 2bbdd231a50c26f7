// REST entry points for moderators and admins: parse (zod) → service → shape. The role guards
// here answer early with 401/403; the service functions check the actor again, because the
// AdminJS panel, jobs and the CLI call them without this router.
import { Router, type Request, type Response } from 'express';
import { requireAdminRole, requireStaffRole } from '../auth/auth.middleware.js';
import type { AppContext } from '../context.js';
import { requireJson } from '../http/validate.js';
import { parseInput } from '../shared/input.js';
import { toActivityJson } from '../stats/stats.schema.js';
import { getStatsOverview, listTickets } from './contact.queries.js';
import { deleteTicket, getTicket, runTicketAction, updateTicket, type ServiceMeta } from './contact.service.js';
import { sendTicketCsv } from './export.routes.js';
import { revokeCustomerLinks } from '../portal/customer-links.js';
import { listTicketRatings } from '../portal/ratings.js';
import { slaStats, toSlaStatsJson } from '../sla/sla.stats.js';
import {
  assignToMeSchema,
  emptyBodySchema,
  markResolvedSchema,
  type TicketListJson,
  type TicketStatsJson,
} from './moderator.schema.js';
import { parseTicketExportQuery, parseTicketListQuery } from './ticket.filters.js';
import { ticketPatchSchema, toModeratorTicket } from './ticket.shape.js';
import type { TicketAction } from './ticket-workflow.js';

const meta = (req: Request): ServiceMeta => ({ source: 'api', requestId: req.id });

/** Mounted at /api/v1/contact after the public router (which owns POST /submit). */
export function createModeratorContactRouter(ctx: AppContext): Router {
  const router = Router();

  // Fixed paths first: /stats/overview and /export.csv must never be taken for an :id.
  router.get('/', requireStaffRole, async (req, res) => {
    const query = parseTicketListQuery(req.query);
    const page = await listTickets(ctx, req.actor!, query);
    const body: TicketListJson = {
      items: page.items.map(toModeratorTicket),
      total: page.total,
      total_capped: page.totalCapped,
      page: page.page,
      page_size: page.pageSize,
      pages: page.pages,
    };
    res.json(body);
  });

  router.get('/stats/overview', requireStaffRole, async (req, res) => {
    const [s, sla] = await Promise.all([getStatsOverview(ctx, req.actor!), slaStats(ctx, req.actor!)]);
    const body = {
      total: s.total,
      ...Object.fromEntries(Object.entries(s.by).map(([field, counts]) => [`by_${field}`, counts])),
      ...Object.fromEntries(
        Object.entries(s.openBy)
          .filter(([field]) => field !== 'status')
          .map(([field, counts]) => [`open_by_${field}`, counts]),
      ),
      open: s.open,
      unassigned_open: s.unassignedOpen,
      ...toActivityJson(s),
      oldest_pending_age_seconds: s.oldestPendingAgeSeconds,
      open_by_tag: s.openByTag,
      csat: { last_7d: s.csat.last7d, last_30d: s.csat.last30d, by_moderator_30d: s.csat.byModerator30d },
      sla: toSlaStatsJson(sla),
      generated_at: s.generatedAt.toISOString(),
    };
    res.json(body satisfies Partial<TicketStatsJson>);
  });

  router.get('/export.csv', requireStaffRole, async (req, res) => {
    const { filters, bom } = parseTicketExportQuery(req.query);
    await sendTicketCsv(ctx, req, res, { actor: req.actor!, filters, bom, source: 'api' });
  });

  router.get('/:id', requireStaffRole, async (req: Request<{ id: string }>, res) => {
    res.json(toModeratorTicket(await getTicket(ctx, req.actor!, req.params.id)));
  });

  router.patch('/:id', requireStaffRole, requireJson(), async (req: Request<{ id: string }>, res) => {
    const patch = parseInput(ticketPatchSchema, req.body ?? {});
    res.json(toModeratorTicket(await updateTicket(ctx, req.actor!, req.params.id, patch, meta(req))));
  });

  const action =
    (name: TicketAction, parseOptions: (body: unknown) => { force?: boolean; resolutionNotes?: string }) =>
    async (req: Request<{ id: string }>, res: Response) => {
      const opts = parseOptions(req.body ?? {});
      const ticket = await runTicketAction(ctx, req.actor!, req.params.id, name, opts, meta(req));
      res.json(toModeratorTicket(ticket));
    };
  const noBody = (body: unknown) => (parseInput(emptyBodySchema, body), {});

  router.post(
    '/:id/assign-to-me',
    requireStaffRole,
    requireJson(),
    action('assign_to_me', (body) => ({ force: parseInput(assignToMeSchema, body).force })),
  );
  router.post(
    '/:id/mark-resolved',
    requireStaffRole,
    requireJson(),
    action('resolve', (body) => ({ resolutionNotes: parseInput(markResolvedSchema, body).resolution_notes })),
  );
  router.post('/:id/reopen', requireStaffRole, requireJson(), action('reopen', noBody));
  router.post('/:id/archive', requireStaffRole, requireJson(), action('archive', noBody));
  router.post('/:id/restore', requireStaffRole, requireJson(), action('restore', noBody));

  // The customer page's links of a ticket (docs/portal.md): admins revoke them (a mail reached
  // the wrong person); later mails carry fresh ones.
  router.post('/:id/customer-links/revoke', requireAdminRole, async (req: Request<{ id: string }>, res) => {
    res.json({ revoked: await revokeCustomerLinks(ctx, req.actor!, req.params.id, meta(req)) });
  });

  router.get('/:id/ratings', requireStaffRole, async (req: Request<{ id: string }>, res) => {
    const ratings = await listTicketRatings(ctx, req.actor!, req.params.id);
    res.json({
      ratings: ratings.map((r) => ({
        id: r.id,
        resolved_at: r.resolvedAt.toISOString(),
        score: r.score,
        comment: r.comment,
        created_at: r.createdAt.toISOString(),
        updated_at: r.updatedAt.toISOString(),
      })),
    });
  });

  router.delete('/:id', requireAdminRole, async (req: Request<{ id: string }>, res) => {
    await deleteTicket(ctx, req.actor!, req.params.id, meta(req));
    res.status(204).end();
  });

  return router;
}

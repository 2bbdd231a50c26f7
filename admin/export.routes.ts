// GET /admin/export/tickets.csv — the panel's Export CSV. A plain Express route behind the
// panel's session check: it streams every ticket matching the list's current filters, search and
// sort (the same query string as the list page), not just the visible page. The export service
// audits it (csv_exports: who, which filters, how many rows).
import type { Request, Response } from 'express';
import { requireStaff } from '../src/auth/access.js';
import { exportFileName, exportTicketsCsv } from '../src/contact/contact.export.js';
import type { AppContext } from '../src/context.js';
import { actorOf } from './access.js';
import { toOrdering, toTicketFilters, valuesFromListQuery } from './resources/ticket-filters.js';

export const EXPORT_PATH = '/export/tickets.csv';

export function exportTicketsHandler(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const actor = actorOf(req.session.adminUser);
    requireStaff(actor);
    const query = req.query as Record<string, unknown>;
    const filters = {
      ...toTicketFilters(valuesFromListQuery(query)),
      ordering: toOrdering(
        typeof query.sortBy === 'string' ? query.sortBy : undefined,
        typeof query.direction === 'string' ? query.direction : undefined,
      ),
    };
    res.status(200);
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${exportFileName(ctx.clock.now())}"`,
      'Cache-Control': 'no-store',
    });
    try {
      await exportTicketsCsv(ctx, actor, filters, res, { source: 'admin', requestId: req.id });
    } catch (err) {
      if (!res.headersSent) {
        // Nothing sent yet (bad filter, wrong role): answer with the JSON error, not an attachment.
        res.removeHeader('Content-Type');
        res.removeHeader('Content-Disposition');
        throw err;
      }
      req.log.error({ err }, 'panel CSV export failed mid-stream');
      res.destroy(err as Error);
    }
  };
}

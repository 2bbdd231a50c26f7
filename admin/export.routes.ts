// GET|HEAD /admin/export/tickets.csv — the panel's Export CSV. A plain Express route behind the
// panel's session check: it streams every ticket matching the list's current filters, search and
// sort (the same query string as the list page), not just the visible page. The download itself is
// the REST API's (sendTicketCsv): same headers, HEAD, abort handling and csv_exports audit row.
import type { Request, Response } from 'express';
import { requireStaff } from '../src/auth/access.js';
import { sendTicketCsv } from '../src/contact/export.routes.js';
import { parseTicketExportQuery } from '../src/contact/ticket.filters.js';
import type { AppContext } from '../src/context.js';
import { actorOf } from './access.js';
import { queryFromListQuery, toOrdering } from './resources/ticket-filters.js';

export const EXPORT_PATH = '/export/tickets.csv';

export function exportTicketsHandler(ctx: AppContext) {
  return async (req: Request, res: Response) => {
    const actor = actorOf(req.session.adminUser);
    requireStaff(actor);
    const query = req.query as Record<string, unknown>;
    const given = queryFromListQuery(query);
    const ordering = toOrdering(
      typeof query.sortBy === 'string' ? query.sortBy : undefined,
      typeof query.direction === 'string' ? query.direction : undefined,
    );
    // A saved view without a sort chosen on the page keeps the view's own ordering.
    const { filters } = parseTicketExportQuery({
      ...given,
      ...(given.view && typeof query.sortBy !== 'string' ? {} : { ordering }),
    });
    await sendTicketCsv(ctx, req, res, { actor, filters, source: 'admin' });
  };
}

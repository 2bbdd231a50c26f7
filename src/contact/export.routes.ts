// The one CSV download implementation, for the REST API (GET /api/v1/contact/export.csv) and the
// panel (GET /admin/export/tickets.csv): the same headers, HEAD answered without running the
// export, errors before the first byte answered as JSON, a client that goes away ends the export.
import type { Request, Response } from 'express';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import type { AuditSource } from '../db/tx.js';
import { ExportAborted, exportFileName, exportTicketsCsv } from './contact.export.js';
import type { TicketFilters } from './ticket.filters.js';

export interface CsvDownload {
  actor: Actor | null;
  filters: TicketFilters;
  bom?: boolean;
  source: AuditSource;
}

export async function sendTicketCsv(ctx: AppContext, req: Request, res: Response, d: CsvDownload): Promise<void> {
  res.status(200);
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${exportFileName(ctx.clock.now())}"`,
    'Cache-Control': 'no-store',
  });
  // HEAD gets the headers only: running the whole export for a body nobody receives is waste.
  if (req.method === 'HEAD') return void res.end();
  try {
    await exportTicketsCsv(ctx, d.actor, d.filters, res, { source: d.source, requestId: req.id, bom: d.bom });
  } catch (err) {
    if (!res.headersSent) {
      // Nothing sent yet (bad filter, wrong role): the error middleware answers in JSON.
      res.removeHeader('Content-Type');
      res.removeHeader('Content-Disposition');
      throw err;
    }
    // Mid-stream failure: cut the connection so the client sees an incomplete download
    // instead of a file that merely looks short.
    if (err instanceof ExportAborted) req.log.info('CSV export abandoned by the client');
    else req.log.error({ err }, 'CSV export failed mid-stream');
    res.destroy(err as Error);
  }
}

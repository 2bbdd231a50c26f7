// REST entry points of the customer's data rights, admins only (docs/privacy.md):
//   GET  /api/v1/privacy/export?email=…   the person's data as one ZIP, streamed
//   POST /api/v1/privacy/erasures         {"email"} → 202 with the erasure (queued, runs as a job)
//   GET  /api/v1/privacy/erasures         newest first (?limit, ?offset)
//   GET  /api/v1/privacy/erasures/:id     one erasure's progress
// The panel's Privacy page uses the same services (and sendPersonExport for its download).
import { Router, type Request, type Response } from 'express';
import { requireAdminRole } from '../auth/auth.middleware.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import type { AuditSource } from '../db/tx.js';
import { ExportAborted, exportFileName, exportPersonData } from './export.js';
import { getErasure, listErasures, requestErasure } from './service.js';

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/** The one ZIP download (REST and panel): errors before the first byte are JSON, later ones cut the connection. */
export async function sendPersonExport(
  ctx: AppContext,
  req: Request,
  res: Response,
  actor: Actor | null,
  source: AuditSource,
): Promise<void> {
  res.status(200);
  res.set({
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="${exportFileName(ctx.clock.now())}"`,
    'Cache-Control': 'no-store',
  });
  try {
    await exportPersonData(ctx, actor, { email: first(req.query.email) }, res, { source, requestId: req.id });
  } catch (err) {
    if (!res.headersSent) {
      res.removeHeader('Content-Type');
      res.removeHeader('Content-Disposition');
      throw err;
    }
    if (err instanceof ExportAborted) req.log.info('privacy export abandoned by the client');
    else req.log.error({ err }, 'privacy export failed mid-stream');
    res.destroy(err as Error);
  }
}

/** Mounted at /api/v1/privacy. */
export function createPrivacyRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/export', requireAdminRole, (req, res) => sendPersonExport(ctx, req, res, req.actor ?? null, 'api'));
  router.post('/erasures', requireAdminRole, async (req, res) => {
    const { erasure, created } = await requestErasure(ctx, req.actor ?? null, req.body ?? {}, {
      source: 'api',
      requestId: req.id,
    });
    res
      .status(created ? 202 : 200)
      .location(`/api/v1/privacy/erasures/${erasure.id}`)
      .json({ erasure });
  });
  router.get('/erasures', requireAdminRole, async (req, res) => {
    const num = (v: unknown) =>
      typeof first(v) === 'string' && /^\d{1,6}$/.test(first(v) as string) ? Number(first(v)) : undefined;
    res.json(
      await listErasures(ctx, req.actor ?? null, { limit: num(req.query.limit), offset: num(req.query.offset) }),
    );
  });
  router.get('/erasures/:id', requireAdminRole, async (req, res) => {
    res.json({ erasure: await getErasure(ctx, req.actor ?? null, String(req.params.id)) });
  });
  return router;
}

import { Router } from 'express';
import type { AppContext } from '../context.js';
import { pendingMigrations } from '../db/migrate.js';

export function createHealthRouter(ctx: AppContext): Router {
  const router = Router();
  // Liveness: the process answers. Never touches the database.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: database reachable and every migration of this build applied.
  router.get('/readyz', async (req, res) => {
    try {
      const pending = await pendingMigrations(ctx.db.pool, ctx.migrationFiles);
      if (pending.length) {
        res.status(503).json({ status: 'unavailable', reason: 'migrations pending', pending });
        return;
      }
      res.json({ status: 'ok' });
    } catch (err) {
      req.log.warn({ err: (err as Error).message }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
  return router;
}

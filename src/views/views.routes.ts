// REST for saved views, mounted at /api/v1/views: parse (zod) → service → shape.
// GET lists the views the caller can use with the number of tickets in each (one query);
// `GET /api/v1/contact/?view=<id>` lists a view's tickets, the CSV export takes the same.
import { Router, type Request } from 'express';
import { requireStaffRole } from '../auth/auth.middleware.js';
import type { AppContext } from '../context.js';
import { requireJson } from '../http/validate.js';
import { parseInput } from '../shared/input.js';
import { viewCreateSchema, viewPatchSchema } from './views.schema.js';
import {
  countViews,
  createView,
  deleteView,
  listViews,
  updateView,
  type SavedView,
  type ViewCount,
} from './views.service.js';

export const toViewJson = (v: SavedView, count?: ViewCount) => ({
  id: v.id,
  name: v.name,
  query: v.query,
  builtin: v.builtin,
  shared: v.shared,
  owner: v.owner,
  editable: v.editable,
  ...(count === undefined ? {} : { count: count.count, count_capped: count.capped }),
});

export function createViewsRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/', requireStaffRole, async (req, res) => {
    const views = await listViews(ctx, req.actor!);
    const counts = await countViews(ctx, req.actor!, views);
    res.json({ items: views.map((v) => toViewJson(v, counts.get(v.id))) });
  });

  router.post('/', requireStaffRole, requireJson(), async (req, res) => {
    const input = parseInput(viewCreateSchema, req.body ?? {});
    res.status(201).json(toViewJson(await createView(ctx, req.actor!, input)));
  });

  router.patch('/:id', requireStaffRole, requireJson(), async (req: Request<{ id: string }>, res) => {
    const patch = parseInput(viewPatchSchema, req.body ?? {});
    res.json(toViewJson(await updateView(ctx, req.actor!, req.params.id, patch)));
  });

  router.delete('/:id', requireStaffRole, async (req: Request<{ id: string }>, res) => {
    await deleteView(ctx, req.actor!, req.params.id);
    res.status(204).end();
  });

  return router;
}

// REST entry points of the tags feature: parse → service → shape. The role guards answer early
// with 401/403; the services check the actor again (the panel calls them without this router).
import { Router, type Request } from 'express';
import { requireAdminRole, requireStaffRole } from '../auth/auth.middleware.js';
import type { ServiceMeta } from '../contact/contact.service.js';
import type { AppContext } from '../context.js';
import { requireJson } from '../http/validate.js';
import { toTagJson, toTagUsageJson } from './schema.js';
import {
  changeTicketTags,
  createTag,
  deleteTag,
  getTag,
  getTicketTags,
  listTags,
  mergeTag,
  removeTicketTag,
  renameTag,
} from './service.js';

const meta = (req: Request): ServiceMeta => ({ source: 'api', requestId: req.id });

/** Mounted at /api/v1/tags. */
export function createTagsRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', requireStaffRole, async (req, res) => {
    res.json({ tags: (await listTags(ctx, req.actor!, req.query)).map(toTagUsageJson) });
  });
  // Staff create tags by using them; this is the same thing without a ticket (201 either way).
  router.post('/', requireStaffRole, requireJson(), async (req, res) => {
    res.status(201).json(toTagJson(await createTag(ctx, req.actor!, req.body ?? {}, meta(req))));
  });
  router.get('/:id', requireStaffRole, async (req: Request<{ id: string }>, res) => {
    res.json(toTagJson(await getTag(ctx, req.actor!, req.params.id)));
  });
  router.put('/:id', requireAdminRole, requireJson(), async (req: Request<{ id: string }>, res) => {
    res.json(toTagJson(await renameTag(ctx, req.actor!, req.params.id, req.body ?? {}, meta(req))));
  });
  router.post('/:id/merge', requireAdminRole, requireJson(), async (req: Request<{ id: string }>, res) => {
    const merged = await mergeTag(ctx, req.actor!, req.params.id, req.body ?? {}, meta(req));
    res.json({ ...toTagJson(merged), moved: merged.moved });
  });
  router.delete('/:id', requireAdminRole, async (req: Request<{ id: string }>, res) => {
    await deleteTag(ctx, req.actor!, req.params.id, meta(req));
    res.status(204).end();
  });
  return router;
}

/** Mounted at /api/v1/contact: a ticket's tags. */
export function createTicketTagsRouter(ctx: AppContext): Router {
  const router = Router();
  const answer = (tags: Array<{ id: string; name: string }>) => ({ tags: tags.map(toTagJson) });
  router.get('/:id/tags', requireStaffRole, async (req: Request<{ id: string }>, res) => {
    res.json(answer(await getTicketTags(ctx, req.actor!, req.params.id)));
  });
  router.post('/:id/tags', requireStaffRole, requireJson(), async (req: Request<{ id: string }>, res) => {
    const body = req.body ?? {};
    res.json(answer(await changeTicketTags(ctx, req.actor!, req.params.id, body, { replace: false }, meta(req))));
  });
  router.put('/:id/tags', requireStaffRole, requireJson(), async (req: Request<{ id: string }>, res) => {
    const body = req.body ?? {};
    res.json(answer(await changeTicketTags(ctx, req.actor!, req.params.id, body, { replace: true }, meta(req))));
  });
  router.delete('/:id/tags/:tag', requireStaffRole, async (req: Request<{ id: string; tag: string }>, res) => {
    res.json(answer(await removeTicketTag(ctx, req.actor!, req.params.id, req.params.tag, meta(req))));
  });
  return router;
}

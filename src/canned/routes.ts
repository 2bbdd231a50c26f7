// REST entry points of the canned replies: parse → service → shape (mounted at
// /api/v1/canned-replies). Staff only; the services decide shared (admins) versus personal (owner).
import { Router, type Request } from 'express';
import { requireStaffRole } from '../auth/auth.middleware.js';
import type { ServiceMeta } from '../contact/contact.service.js';
import type { AppContext } from '../context.js';
import { requireJson } from '../http/validate.js';
import { toCannedReplyJson } from './schema.js';
import {
  createCannedReply,
  deleteCannedReply,
  getCannedReply,
  listCannedReplies,
  renderCannedReply,
  updateCannedReply,
  type SavedReply,
} from './service.js';

const meta = (req: Request): ServiceMeta => ({ source: 'api', requestId: req.id });
const saved = (s: SavedReply) => ({ ...toCannedReplyJson(s.reply), warnings: s.warnings });

export function createCannedRepliesRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/', requireStaffRole, async (req, res) => {
    const page = await listCannedReplies(ctx, req.actor!, req.query);
    res.json({ items: page.items.map(toCannedReplyJson), total: page.total });
  });
  router.post('/', requireStaffRole, requireJson(), async (req, res) => {
    res.status(201).json(saved(await createCannedReply(ctx, req.actor!, req.body ?? {}, meta(req))));
  });
  router.get('/:id', requireStaffRole, async (req: Request<{ id: string }>, res) => {
    res.json(toCannedReplyJson(await getCannedReply(ctx, req.actor!, req.params.id)));
  });
  router.patch('/:id', requireStaffRole, requireJson(), async (req: Request<{ id: string }>, res) => {
    res.json(saved(await updateCannedReply(ctx, req.actor!, req.params.id, req.body ?? {}, meta(req))));
  });
  router.delete('/:id', requireStaffRole, async (req: Request<{ id: string }>, res) => {
    await deleteCannedReply(ctx, req.actor!, req.params.id, meta(req));
    res.status(204).end();
  });
  // POST: rendering counts a use (the text is being inserted into a reply).
  router.post('/:id/render', requireStaffRole, requireJson(), async (req: Request<{ id: string }>, res) => {
    const r = await renderCannedReply(ctx, req.actor!, req.params.id, req.query, meta(req));
    res.json({ canned_reply_id: r.reply.id, ticket_id: r.ticketId, text: r.text, usage_count: r.usageCount });
  });
  return router;
}

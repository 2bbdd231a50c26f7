// REST: /api/v1/webhooks — parse → webhook service → shape. Admins only (guard here, and again in
// every service function).
import { Router, type Request } from 'express';
import { requireAdminRole } from '../auth/auth.middleware.js';
import type { AppContext } from '../context.js';
import { requireJson } from '../http/validate.js';
import * as svc from './service.js';

export function createWebhookRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(requireAdminRole);

  router.get('/', async (req, res) => {
    res.json({ endpoints: await svc.listWebhookEndpoints(ctx, req.actor!) });
  });

  router.post('/', requireJson(), async (req, res) => {
    const { endpoint, secret } = await svc.createWebhookEndpoint(ctx, req.actor!, req.body ?? {});
    res.status(201).json({ ...endpoint, secret });
  });

  router.get('/:id', async (req: Request<{ id: string }>, res) => {
    res.json(await svc.getWebhookEndpoint(ctx, req.actor!, req.params.id));
  });

  router.patch('/:id', requireJson(), async (req: Request<{ id: string }>, res) => {
    res.json(await svc.updateWebhookEndpoint(ctx, req.actor!, req.params.id, req.body ?? {}));
  });

  router.delete('/:id', async (req: Request<{ id: string }>, res) => {
    await svc.deleteWebhookEndpoint(ctx, req.actor!, req.params.id);
    res.status(204).end();
  });

  router.post('/:id/rotate-secret', async (req: Request<{ id: string }>, res) => {
    const { endpoint, secret } = await svc.rotateWebhookSecret(ctx, req.actor!, req.params.id);
    res.json({ ...endpoint, secret });
  });

  router.get('/:id/deliveries', async (req: Request<{ id: string }>, res) => {
    res.json(await svc.listWebhookDeliveries(ctx, req.actor!, req.params.id, req.query as Record<string, string>));
  });

  router.post('/:id/deliveries/:deliveryId/resend', async (req: Request<{ id: string; deliveryId: string }>, res) => {
    res.status(202).json(await svc.resendWebhookDelivery(ctx, req.actor!, req.params.id, req.params.deliveryId));
  });

  return router;
}

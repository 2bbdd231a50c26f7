// REST entry points for API tokens: parse → service → shape. Mounted at /api/v1/auth.
import { Router } from 'express';
import { clientIp } from '../http/client-ip.js';
import type { AppContext } from '../context.js';
import { parseInput, requireJson } from '../http/validate.js';
import { requireAuthenticated } from './auth.middleware.js';
import { tokenRequestSchema } from './auth.schema.js';
import { loginForToken, revokeCurrentToken } from './auth.service.js';

export function createAuthRouter(ctx: AppContext): Router {
  const router = Router();

  router.post('/token', requireJson(), async (req, res) => {
    const input = parseInput(tokenRequestSchema, req.body);
    const issued = await loginForToken(
      ctx,
      { email: input.email, password: input.password, ip: clientIp(req) },
      { source: 'api', requestId: req.id },
    );
    // The token is a credential: no cache on the way may keep it.
    res.set('Cache-Control', 'no-store').json(issued);
  });

  router.delete('/token', requireAuthenticated, async (req, res) => {
    await revokeCurrentToken(ctx, req.actor, req.apiTokenId, { source: 'api', requestId: req.id });
    res.status(204).end();
  });

  return router;
}

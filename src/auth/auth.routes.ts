// REST entry points for API tokens: parse → service → shape. Mounted at /api/v1/auth.
import { Router } from 'express';
import { clientIp } from '../http/client-ip.js';
import type { AppContext } from '../context.js';
import { requireJson } from '../http/validate.js';
import { parseInput } from '../shared/input.js';
import { requireAuthenticated, withChallenge } from './auth.middleware.js';
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

  // Any role: the embeddable form prefills name and email from it (docs/widget.md).
  router.get('/me', requireAuthenticated, (req, res) => {
    const { id, name, email, role } = req.actor!;
    res.set('Cache-Control', 'no-store').json({ id, name, email, role });
  });

  router.delete('/token', requireAuthenticated, async (req, res) => {
    // The service's 401 is plain; on the REST API it carries the Bearer challenge.
    await revokeCurrentToken(ctx, req.actor, req.apiTokenId, { source: 'api', requestId: req.id }).catch((err) => {
      throw withChallenge(err);
    });
    res.status(204).end();
  });

  return router;
}

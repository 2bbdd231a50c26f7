// Bearer authentication for the REST API. `bearerAuth` identifies the caller when a token is
// sent (public endpoints accept anonymous callers); the `require*` guards apply the rules from
// access.ts and add only what HTTP needs on top: the WWW-Authenticate challenge on a 401.
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { requireAdmin, requireStaff, unauthenticated } from './access.js';
import type { Actor } from './actor.js';
import { resolveBearerToken } from './tokens.js';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="contactdesk"' };

/** The same error with the Bearer challenge when it is a 401 (RFC 6750 §3). */
export function withChallenge(err: unknown): unknown {
  if (!(err instanceof AppError) || err.status !== 401) return err;
  return new AppError({ code: err.code, status: 401, message: err.message, headers: CHALLENGE, cause: err });
}

const bearerRequired = (message = 'A valid Bearer token is required') => withChallenge(unauthenticated(message));

export function bearerAuth(ctx: AppContext): RequestHandler {
  return async (req, _res, next) => {
    req.actor = null;
    const header = req.get('authorization');
    if (!header) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return next(bearerRequired('Authorization header must be "Bearer <token>"'));
    const identity = await resolveBearerToken(ctx, match[1]!);
    if (!identity) return next(bearerRequired('The token is invalid, expired or revoked'));
    req.actor = identity.actor;
    req.apiTokenId = identity.tokenId;
    next();
  };
}

const guard =
  (rule: (actor: Actor | null | undefined) => void): RequestHandler =>
  (req, _res, next) => {
    if (!req.actor) return next(bearerRequired());
    try {
      rule(req.actor);
    } catch (err) {
      return next(withChallenge(err));
    }
    next();
  };

export const requireAuthenticated = guard(() => {});
export const requireStaffRole = guard(requireStaff);
export const requireAdminRole = guard(requireAdmin);

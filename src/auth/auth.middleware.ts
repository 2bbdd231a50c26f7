// Bearer authentication for the REST API. `bearerAuth` identifies the caller when a token is
// sent (public endpoints accept anonymous callers); the `require*` guards enforce roles.
import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { isAdmin, isStaff } from './actor.js';
import { resolveBearerToken } from './tokens.js';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="contactdesk"' };

export const unauthenticated = (message = 'A valid Bearer token is required') =>
  new AppError({ code: 'unauthenticated', status: 401, message, headers: CHALLENGE });

export function bearerAuth(ctx: AppContext): RequestHandler {
  return async (req, _res, next) => {
    req.actor = null;
    const header = req.get('authorization');
    if (!header) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return next(unauthenticated('Authorization header must be "Bearer <token>"'));
    const identity = await resolveBearerToken(ctx, match[1]!);
    if (!identity) return next(unauthenticated('The token is invalid, expired or revoked'));
    req.actor = identity.actor;
    req.apiTokenId = identity.tokenId;
    next();
  };
}

export const requireAuthenticated: RequestHandler = (req, _res, next) => {
  next(req.actor ? undefined : unauthenticated());
};

export const requireStaffRole: RequestHandler = (req, _res, next) => {
  if (!req.actor) return next(unauthenticated());
  if (!isStaff(req.actor))
    return next(new AppError({ code: 'forbidden', status: 403, message: 'Moderator or admin role required' }));
  next();
};

export const requireAdminRole: RequestHandler = (req, _res, next) => {
  if (!req.actor) return next(unauthenticated());
  if (!isAdmin(req.actor))
    return next(new AppError({ code: 'forbidden', status: 403, message: 'Admin role required' }));
  next();
};

// Content-type guards for REST routes. Parsing the body itself is src/shared/input.ts's parseInput,
// which services use too.
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/** Rejects bodies that are neither JSON nor an HTML form post (or no body at all) with 415. */
export function requireJsonOrForm(): RequestHandler {
  return (req, _res, next) => {
    if (!req.is(['application/json', 'application/x-www-form-urlencoded'])) {
      return next(
        new AppError({
          code: 'unsupported_media_type',
          status: 415,
          message: 'Send application/json or application/x-www-form-urlencoded',
        }),
      );
    }
    next();
  };
}

/** Rejects anything but a JSON body (moderator endpoints). Empty bodies are allowed. */
export function requireJson(): RequestHandler {
  return (req, _res, next) => {
    const hasBody = !!(req.headers['transfer-encoding'] || Number(req.headers['content-length'] ?? 0) > 0);
    if (hasBody && !req.is('application/json')) {
      return next(new AppError({ code: 'unsupported_media_type', status: 415, message: 'Send application/json' }));
    }
    next();
  };
}

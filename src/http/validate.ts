import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { AppError, validationError } from '../errors.js';

/** Parses with a feature schema; a failure becomes the documented 400 with field messages. */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

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

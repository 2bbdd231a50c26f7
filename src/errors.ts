// One error type for everything the app means to say to a client, and one middleware that turns
// errors into the documented shape: { "error": { "code", "message", "fields"? } }.
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';

export type FieldErrors = Record<string, string[]>;

export interface AppErrorOptions {
  code: string;
  status: number;
  message: string;
  fields?: FieldErrors;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields?: FieldErrors;
  readonly headers?: Record<string, string>;

  constructor(opts: AppErrorOptions) {
    super(opts.message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = opts.code;
    this.status = opts.status;
    this.fields = opts.fields;
    this.headers = opts.headers;
  }
}

export const notFound = (what = 'Resource') =>
  new AppError({ code: 'not_found', status: 404, message: `${what} not found` });

/** 409 for a save made from an outdated copy of a record (optimistic concurrency on edit forms). */
export const staleEdit = (what: string) =>
  new AppError({
    code: 'stale_edit',
    status: 409,
    message: `This ${what} was changed by someone else since you opened it: reload it and make your change again`,
  });

export function fieldErrorsFromZod(err: ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of err.issues) {
    // A strict object reports unknown keys as one issue on the object itself: name each key, so
    // the client sees `fields.phone: ["unknown field"]` rather than an anonymous `_`.
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const p of paths) {
      const key = p.length ? p.join('.') : '_';
      (fields[key] ??= []).push(issue.message);
    }
  }
  return fields;
}

export function validationError(err: ZodError): AppError {
  return new AppError({
    code: 'validation_error',
    status: 400,
    message: 'The request has invalid fields',
    fields: fieldErrorsFromZod(err),
  });
}

// PostgreSQL / connection failures that mean "try again later" rather than "bug".
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const anyErr = e as { code?: string; message?: string; cause?: unknown };
    if (anyErr.code && UNAVAILABLE_CODES.has(anyErr.code)) return true;
    const msg = anyErr.message ?? '';
    if (
      /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|is not currently accepting connections/i.test(
        msg,
      )
    )
      return true;
    e = anyErr.cause;
  }
  return false;
}

/** Maps body-parser errors (thrown before our handlers run) to AppErrors. */
function fromBodyParser(err: { type?: string; status?: number }): AppError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new AppError({ code: 'payload_too_large', status: 413, message: 'Request body is too large' });
    case 'entity.parse.failed':
      return new AppError({ code: 'malformed_body', status: 400, message: 'Request body is not valid JSON' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError({ code: 'unsupported_media_type', status: 415, message: 'Unsupported body encoding' });
    case 'parameters.too.many':
      return new AppError({ code: 'malformed_body', status: 400, message: 'Too many parameters' });
    case 'request.aborted':
      return new AppError({ code: 'request_aborted', status: 400, message: 'Request aborted' });
    default:
      return undefined;
  }
}

export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return validationError(err);
  if (err && typeof err === 'object' && 'type' in err) {
    const mapped = fromBodyParser(err as { type?: string });
    if (mapped) return mapped;
  }
  // The router could not percent-decode a path parameter (`/contact/%E0%A4%A`): the client's URL
  // is malformed, which is a 400, not the 500 an unknown error would get.
  if (err instanceof URIError && (err as URIError & { status?: number }).status === 400) {
    return new AppError({ code: 'malformed_url', status: 400, message: 'The URL is not valid percent-encoding' });
  }
  if (isDatabaseUnavailable(err)) {
    return new AppError({
      code: 'service_unavailable',
      status: 503,
      message: 'The service is temporarily unavailable, please retry',
      headers: { 'Retry-After': '5' },
    });
  }
  return undefined;
}

export const errorMiddleware: ErrorRequestHandler = (err, req, res, _next) => {
  const appError = toAppError(err);
  if (!appError) {
    req.log?.error({ err }, 'unhandled error');
    if (res.headersSent) return res.end();
    res.status(500).json({ error: { code: 'internal_error', message: 'Internal server error' } });
    return;
  }
  if (appError.status >= 500) req.log?.warn({ err }, appError.message);
  if (res.headersSent) return res.end();
  if (appError.headers) res.set(appError.headers);
  const body: { code: string; message: string; fields?: FieldErrors } = {
    code: appError.code,
    message: appError.message,
  };
  if (appError.fields) body.fields = appError.fields;
  res.status(appError.status).json({ error: body });
};

// express-formidable ships no types; the panel only passes it options and reads `req.fields`.
declare module 'express-formidable' {
  import type { RequestHandler } from 'express';
  export default function formidable(options?: Record<string, unknown>): RequestHandler;
}

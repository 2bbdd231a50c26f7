// Parsing input with a feature's zod schema. Used by routes and services alike, so it lives
// outside src/http: a service called from the CLI or a job validates the same way.
import type { z } from 'zod';
import { validationError } from '../errors.js';

/** Parses with a feature schema; a failure becomes the documented 400 with field messages. */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

/**
 * Option for `z.strictObject`: an unknown key is reported as `message` under its own name
 * (see fieldErrorsFromZod), e.g. `fields.phone: ["unknown field"]`.
 */
export const strictKeys = (message = 'unknown field') => ({
  error: (issue: { code?: string }) => (issue.code === 'unrecognized_keys' ? message : undefined),
});

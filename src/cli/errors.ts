// Exit codes, so scripts can tell "you called me wrong" from "the database said no".
import { AppError } from '../errors.js';

export const EXIT_OK = 0;
/** Anything unexpected (database unreachable, bug). */
export const EXIT_FAILURE = 1;
/** Bad command line or invalid value (unknown role, short password, malformed email). */
export const EXIT_USAGE = 2;
/** The user named does not exist. */
export const EXIT_NOT_FOUND = 3;
/** Refused by a rule: email already taken, last active admin. */
export const EXIT_CONFLICT = 4;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A service error as a one-paragraph message and an exit code. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof AppError) {
    const fields = Object.entries(err.fields ?? {}).map(([field, msgs]) => `  ${field}: ${msgs.join('; ')}`);
    const headline = err.code === 'validation_error' ? 'Invalid input:' : err.message;
    const message = [headline, ...fields].join('\n');
    if (err.status === 404) return { message, exitCode: EXIT_NOT_FOUND };
    if (err.status === 409) return { message, exitCode: EXIT_CONFLICT };
    if (err.status === 400) return { message, exitCode: EXIT_USAGE };
    return { message, exitCode: EXIT_FAILURE };
  }
  return { message: `Unexpected error: ${(err as Error)?.stack ?? String(err)}`, exitCode: EXIT_FAILURE };
}

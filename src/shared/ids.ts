// Ids the app hands out are UUIDs. Checking the shape before a query turns a malformed id into a
// 400 (or a plain "not found") instead of a PostgreSQL cast error answered as a 500.
import { AppError } from '../errors.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);

/** 400 validation_error naming `field` when `value` is not a UUID. */
export function assertUuid(value: string, field = 'id'): void {
  if (!isUuid(value)) {
    throw new AppError({
      code: 'validation_error',
      status: 400,
      message: 'The request has invalid fields',
      fields: { [field]: ['must be a UUID'] },
    });
  }
}

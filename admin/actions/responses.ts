// Turning service outcomes into AdminJS action responses. A service's AppError (409 transition,
// 400 validation, 403 role) becomes an error notice on the page, with field messages on the form,
// instead of a failed request the panel cannot show.
import type { ActionContext, BulkActionResponse, RecordActionResponse } from 'adminjs';
import { AppError } from '../../src/errors.js';

/** snake_case field names of the services → the panel's property paths. */
const FIELD_PATHS: Record<string, string> = {
  assigned_to_id: 'assignedToId',
  admin_notes: 'adminNotes',
  resolution_notes: 'resolutionNotes',
  is_active: 'isActive',
};

export function recordErrorResponse(err: unknown, context: ActionContext): RecordActionResponse {
  if (!(err instanceof AppError)) throw err;
  const json = context.record?.toJSON(context.currentAdmin);
  const errors: Record<string, { message: string }> = {};
  for (const [field, messages] of Object.entries(err.fields ?? {})) {
    errors[FIELD_PATHS[field] ?? field] = { message: messages.join('; ') };
  }
  return {
    record: { ...(json ?? { params: {}, populated: {} }), errors } as RecordActionResponse['record'],
    notice: { message: err.message, type: 'error' },
  };
}

export function bulkErrorResponse(err: unknown, context: ActionContext): BulkActionResponse {
  if (!(err instanceof AppError)) throw err;
  return {
    records: (context.records ?? []).map((r) => r.toJSON(context.currentAdmin)),
    notice: { message: err.message, type: 'error' },
  };
}

/** A payload value from the panel's forms: '' and AdminJS's null marker mean "empty". */
export function payloadString(payload: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = payload?.[key];
  if (v === undefined || v === null) return undefined;
  return String(v);
}

// Turning service outcomes into AdminJS action responses. A service's AppError (409 transition,
// 400 validation, 403 role) becomes an error notice on the page, with field messages on the form,
// instead of a failed request the panel cannot show.
import type { ActionContext, ActionRequest, ActionResponse, BulkActionResponse, RecordActionResponse } from 'adminjs';
import { fields } from '../../src/contact/ticket.shape.js';
import { AppError } from '../../src/errors.js';
import { panelPath } from '../resources/ticket-filters.js';

/** snake_case field names of the services → the panel's property paths. */
const FIELD_PATHS: Record<string, string> = {
  ...Object.fromEntries(fields.map((f) => [f.name, panelPath(f)])),
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
    // The service's error code (`stale_edit`, …) for the panel's own components.
    code: err.code,
  };
}

/** After a record action succeeded: the record as it is now, the notice, and its show page. */
export function shownRecord(
  context: ActionContext,
  id: string,
  params: Record<string, unknown>,
  notice: { message: string; type: 'success' | 'info' },
): ActionResponse {
  const { resource, h, currentAdmin } = context;
  return {
    record: resource.build(params).toJSON(currentAdmin),
    notice,
    redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: id, actionName: 'show' }),
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

/**
 * The record's updatedAt as the edit form loaded it. AdminJS's edit form posts back every param
 * of the record it opened (useRecord without includeParams), so this is the version the user saw;
 * the services refuse the save with 409 stale_edit when the row has changed since. Absent (a
 * hand-made request) means no check.
 */
export function formLoadedUpdatedAt(payload: Record<string, unknown> | undefined): Date | undefined {
  const raw = payloadString(payload, 'updatedAt');
  if (!raw) return undefined;
  const loaded = new Date(raw);
  if (Number.isNaN(loaded.getTime())) {
    throw new AppError({
      code: 'validation_error',
      status: 400,
      message: 'The request has invalid fields',
      fields: { updatedAt: ['must be the date the record was loaded with'] },
    });
  }
  return loaded;
}

/** The list page's own parameters: its filters, page, page size and sort. */
const LIST_PARAM = /^(filters\.|page$|perPage$|sortBy$|direction$)/;

/**
 * The list's query string as the action was opened from it (AdminJS carries it into drawer
 * actions' URLs; our forms send it with the POST): `?filters.status=pending&page=2`, or ''.
 */
export function listSearch(request: ActionRequest): string {
  // Bulk forms send it in the payload (AdminJS's bulk call takes no query parameters).
  const sent = payloadString(request.payload, 'listSearch');
  const fromPayload = sent ? Object.fromEntries(new URLSearchParams(sent).entries()) : {};
  const kept = Object.entries({ ...request.query, ...fromPayload }).filter(
    (e): e is [string, string] => LIST_PARAM.test(e[0]) && typeof e[1] === 'string',
  );
  return kept.length ? `?${new URLSearchParams(kept).toString()}` : '';
}

/** Back to the list as the moderator left it (filters and page kept), after an action. */
export function backToList(context: ActionContext, request: ActionRequest): string {
  return context.h.resourceUrl({ resourceId: context.resource.id(), search: listSearch(request) });
}

/** A record's workspace, keeping the list's query so "back" returns to the same list. */
export function backToRecord(context: ActionContext, request: ActionRequest, recordId: string): string {
  return context.h.recordActionUrl({
    resourceId: context.resource.id(),
    recordId,
    actionName: 'show',
    search: listSearch(request),
  });
}

type ActionRun = (request: ActionRequest, context: ActionContext) => Promise<ActionResponse>;

/**
 * A resource action's handler whose AppErrors become the panel's field messages and notice
 * (recordErrorResponse) instead of AdminJS's error page; the record shown is the one being edited
 * (or the posted values, for a `new` form).
 */
export const guarded =
  (run: ActionRun) =>
  async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
    try {
      return await run(request, context);
    } catch (err) {
      return recordErrorResponse(err, {
        ...context,
        record: context.record ?? context.resource.build(request.payload ?? {}),
      });
    }
  };

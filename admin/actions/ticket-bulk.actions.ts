// Bulk actions Assign to me / Resolve / Archive / Restore: one bulkTicketAction call (one UPDATE
// for every ticket that qualifies) and a notice saying how many changed and which were skipped,
// with the reason for each. GET shows the confirmation; only POST changes anything.
import type { Action, ActionContext, ActionRequest, BulkActionResponse } from 'adminjs';
import { bulkSetField, bulkTicketAction, type BulkResult } from '../../src/contact/contact.bulk.js';
import { markResolvedSchema } from '../../src/contact/moderator.schema.js';
import type { TicketFieldSpec } from '../../src/contact/ticket.fields.js';
import { bulkSettableFields } from '../../src/contact/ticket.shape.js';
import { parseInput } from '../../src/shared/input.js';
import type { TicketAction } from '../../src/contact/ticket-workflow.js';
import type { AppContext } from '../../src/context.js';
import { isStaffAdmin, panelMeta, requireActor } from '../access.js';
import { Components } from '../components.js';
import { panelPath } from '../resources/ticket-filters.js';
import { DESCRIPTIONS } from './ticket-workflow.actions.js';
import { backToList, bulkErrorResponse, payloadString } from './responses.js';

export const BULK_WORKFLOW_ACTIONS = {
  bulkAssignToMe: 'assign_to_me',
  bulkResolve: 'resolve',
  bulkArchive: 'archive',
  bulkRestore: 'restore',
} as const satisfies Record<string, TicketAction>;

const MAX_LISTED_SKIPS = 10;

/** "3 tickets changed. 2 skipped: CONT-… is archived; resolve needs …" */
export function bulkNotice(result: BulkResult): { message: string; type: 'success' | 'info' | 'error' } {
  const changed = `${result.changed.length} ticket${result.changed.length === 1 ? '' : 's'} changed`;
  if (!result.skipped.length) return { message: `${changed}.`, type: 'success' };
  const reasons = result.skipped
    .slice(0, MAX_LISTED_SKIPS)
    .map((s) => `${s.ticketNumber ?? s.id} ${s.reason}`)
    .join('; ');
  const more = result.skipped.length > MAX_LISTED_SKIPS ? `; and ${result.skipped.length - MAX_LISTED_SKIPS} more` : '';
  return {
    message: `${changed}. ${result.skipped.length} skipped: ${reasons}${more}.`,
    type: result.changed.length ? 'info' : 'error',
  };
}

/** The ids the moderator selected, including any that no longer exist (reported as skipped). */
export function selectedIds(request: ActionRequest, context: ActionContext): string[] {
  const raw = request.query?.recordIds;
  if (typeof raw === 'string' && raw) return raw.split(',').filter(Boolean);
  return (context.records ?? []).map((r) => String(r.id()));
}

export type RunBulk = (request: ActionRequest, context: ActionContext) => Promise<BulkResult>;

/** GET shows the confirmation; POST runs the service call and answers with its notice. */
export function bulkHandler(run: RunBulk) {
  return async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<BulkActionResponse> => {
    const { records = [], currentAdmin } = context;
    if (request.method !== 'post') return { records: records.map((r) => r.toJSON(currentAdmin)) };
    try {
      const result = await run(request, context);
      return {
        records: records.map((r) => r.toJSON(currentAdmin)),
        notice: bulkNotice(result),
        redirectUrl: backToList(context, request),
        // For the form and for scripts: exactly what changed and why the rest did not.
        bulkResult: result,
      };
    } catch (err) {
      return bulkErrorResponse(err, context);
    }
  };
}

export const staffBulk = {
  actionType: 'bulk' as const,
  component: Components.BulkActionForm,
  showInDrawer: true,
  isAccessible: ({ currentAdmin }: ActionContext) => isStaffAdmin(currentAdmin),
  isVisible: ({ currentAdmin }: ActionContext) => isStaffAdmin(currentAdmin),
};

function bulkAction(ctx: AppContext, name: string, action: TicketAction): Action<BulkActionResponse> {
  const run: RunBulk = (request, context) => {
    const notes = payloadString(request.payload, 'resolutionNotes')?.trim();
    // The REST body schema: the same length limit and control-character rule as mark-resolved.
    const opts =
      action === 'resolve' && notes
        ? { resolutionNotes: parseInput(markResolvedSchema, { resolution_notes: notes }).resolution_notes }
        : {};
    return bulkTicketAction(
      ctx,
      requireActor(context),
      selectedIds(request, context),
      action,
      opts,
      panelMeta(request),
    );
  };
  return {
    ...staffBulk,
    name,
    icon: 'Layers',
    custom: { serviceAction: action, description: DESCRIPTIONS[action], withNotes: action === 'resolve' },
    handler: bulkHandler(run),
  };
}

/** "Set <field>" for every field declared `bulk`: the chosen value on every selected ticket. */
function bulkSetAction(ctx: AppContext, field: TicketFieldSpec): Action<BulkActionResponse> {
  const run: RunBulk = (request, context) =>
    bulkSetField(
      ctx,
      requireActor(context),
      selectedIds(request, context),
      field.name,
      payloadString(request.payload, 'value'),
      panelMeta(request),
    );
  return {
    ...staffBulk,
    name: bulkSetActionName(field),
    icon: 'Edit',
    custom: {
      description: `Sets ${field.label.toLowerCase()} on every selected ticket.`,
      setField: { path: panelPath(field), values: field.type === 'enum' ? field.values : [] },
    },
    handler: bulkHandler(run),
  };
}

export const bulkSetActionName = (f: TicketFieldSpec) => `bulkSet${f.prop[0]!.toUpperCase()}${f.prop.slice(1)}`;

export function ticketBulkActions(ctx: AppContext): Record<string, Action<BulkActionResponse>> {
  return {
    ...Object.fromEntries(
      Object.entries(BULK_WORKFLOW_ACTIONS).map(([name, action]) => [name, bulkAction(ctx, name, action)]),
    ),
    ...Object.fromEntries(bulkSettableFields.map((f) => [bulkSetActionName(f), bulkSetAction(ctx, f)])),
  };
}

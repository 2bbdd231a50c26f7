// Record actions Assign to me / Resolve / Reopen / Archive / Restore. Each is a small form
// (RecordActionForm) that POSTs; the handler calls runTicketAction, the same use case the REST
// API calls, so rules, emails and the audit context are identical. A GET only shows the form:
// nothing changes on a GET (a link cannot make a change on a moderator's behalf).
import type { Action, ActionContext, ActionRequest, RecordActionResponse } from 'adminjs';
import { runTicketAction } from '../../src/contact/contact.service.js';
import type { TicketStatus } from '../../src/contact/contact.schema.js';
import { NOTES_MAX_LENGTH } from '../../src/contact/moderator.schema.js';
import { ACTION_RULES, type TicketAction } from '../../src/contact/ticket-workflow.js';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { isStaffAdmin, panelMeta, requireActor } from '../access.js';
import { Components } from '../components.js';
import { ticketParams } from '../resources/ticket-reads.js';
import { backToRecord, payloadString, recordErrorResponse } from './responses.js';

/** Panel action name (camelCase, used in URLs) → service action. */
export const RECORD_WORKFLOW_ACTIONS = {
  assignToMe: 'assign_to_me',
  resolve: 'resolve',
  reopen: 'reopen',
  archive: 'archive',
  restore: 'restore',
} as const satisfies Record<string, TicketAction>;

const ICONS: Record<TicketAction, string> = {
  assign_to_me: 'UserPlus',
  resolve: 'CheckCircle',
  reopen: 'RotateCcw',
  archive: 'Archive',
  restore: 'RefreshCcw',
};

const DONE: Record<TicketAction, string> = {
  assign_to_me: 'is now assigned to you',
  resolve: 'is resolved',
  reopen: 'is reopened',
  archive: 'is archived',
  restore: 'is restored',
};

export const DESCRIPTIONS: Record<TicketAction, string> = {
  assign_to_me: 'Take this ticket. A pending ticket moves to in progress.',
  resolve: 'Mark the ticket resolved. The customer gets the "resolved" email.',
  reopen: 'Reopen the ticket: it goes back to in progress and its resolution is cleared.',
  archive: 'Archive the resolved ticket: it leaves the default list.',
  restore: 'Restore the archived ticket to resolved.',
};

const statusOf = (context: { record?: { params: Record<string, unknown> } }) =>
  context.record?.params.status as TicketStatus | undefined;

function parseOptions(action: TicketAction, payload: Record<string, unknown> | undefined) {
  const opts: { force?: boolean; resolutionNotes?: string } = {};
  if (action === 'assign_to_me') opts.force = payloadString(payload, 'force') === 'true';
  if (action === 'resolve') {
    const notes = payloadString(payload, 'resolutionNotes')?.trim();
    if (notes && notes.length > NOTES_MAX_LENGTH) {
      throw new AppError({
        code: 'validation_error',
        status: 400,
        message: 'The request has invalid fields',
        fields: { resolution_notes: [`must be at most ${NOTES_MAX_LENGTH} characters`] },
      });
    }
    if (notes) opts.resolutionNotes = notes;
  }
  return opts;
}

function workflowAction(ctx: AppContext, name: string, action: TicketAction): Action<RecordActionResponse> {
  const rule = ACTION_RULES[action];
  return {
    name,
    actionType: 'record',
    icon: ICONS[action],
    component: Components.RecordActionForm,
    showInDrawer: true,
    custom: { serviceAction: action, description: DESCRIPTIONS[action], withNotes: action === 'resolve' },
    // Role on the API; status only decides whether the button shows (the service re-checks it).
    isAccessible: ({ currentAdmin }) => isStaffAdmin(currentAdmin),
    isVisible: (context) => {
      const status = statusOf(context);
      return isStaffAdmin(context.currentAdmin) && (!status || rule.from.includes(status));
    },
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
      const { record, currentAdmin, resource } = context;
      if (!record) throw new AppError({ code: 'not_found', status: 404, message: 'Ticket not found' });
      if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
      try {
        const opts = parseOptions(action, request.payload);
        const ticket = await runTicketAction(
          ctx,
          requireActor(context),
          String(record.id()),
          action,
          opts,
          panelMeta(request),
        );
        return {
          record: resource.build(ticketParams(ticket)).toJSON(currentAdmin),
          notice: { message: `Ticket ${ticket.ticketNumber} ${DONE[action]}`, type: 'success' },
          redirectUrl: backToRecord(context, request, ticket.id),
        };
      } catch (err) {
        return recordErrorResponse(err, context);
      }
    },
  };
}

export function ticketWorkflowActions(ctx: AppContext): Record<string, Action<RecordActionResponse>> {
  return Object.fromEntries(
    Object.entries(RECORD_WORKFLOW_ACTIONS).map(([name, action]) => [name, workflowAction(ctx, name, action)]),
  );
}

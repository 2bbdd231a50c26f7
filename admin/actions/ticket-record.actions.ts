// The Ticket resource's standard actions, each overridden so that nothing writes through an
// adapter: list/show read through the queue's services; edit calls updateTicket (category, admin
// notes and assignee only: status changes go through the workflow actions); delete and bulk
// delete call deleteTicket (admins only); "new" is closed (tickets come from the public form).
import {
  ListAction,
  ShowAction,
  type Action,
  type ActionContext,
  type ActionHandler,
  type ActionRequest,
  type ActionResponse,
  type RecordActionResponse,
} from 'adminjs';
import { getTicketHistory } from '../../src/audit/audit.service.js';
import type { EmailEntry } from '../../src/audit/audit.schema.js';
import { deleteTicket, deleteTickets, updateTicket, type TicketPatch } from '../../src/contact/contact.service.js';
import { TICKET_LAYOUT } from '../../src/contact/ticket.fields.js';
import { fields, ticketPatchSchema } from '../../src/contact/ticket.shape.js';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { getListPreferences } from '../../src/views/preferences.service.js';
import { parseInput } from '../../src/shared/input.js';
import { adminOnly, isAdminAdmin, nobody, panelMeta, requireActor, staffOnly } from '../access.js';
import { panelPath } from '../resources/ticket-filters.js';
import { ticketParams } from '../resources/ticket-reads.js';
import {
  backToList,
  backToRecord,
  bulkErrorResponse,
  formLoadedUpdatedAt,
  payloadString,
  recordErrorResponse,
} from './responses.js';

/**
 * The edit form's values as a REST patch (snake_case; a user select's empty choice = null),
 * validated by the PATCH schema itself: the same messages, limits and control-character rules.
 */
function editPatch(request: ActionRequest): TicketPatch {
  const raw: Record<string, unknown> = {};
  for (const prop of TICKET_LAYOUT.edit) {
    const f = fields.find((x) => x.prop === prop)!;
    const v = payloadString(request.payload, panelPath(f));
    if (v !== undefined) raw[f.name] = f.type === 'user' && v === '' ? null : v;
  }
  return Object.keys(raw).length ? parseInput(ticketPatchSchema, raw) : {};
}

/** The newest state of each email about the ticket, from its history (newest first). */
export function emailsFromHistory(entries: Array<{ type: string }>): EmailEntry[] {
  const seen = new Set<string>();
  const emails: EmailEntry[] = [];
  for (const entry of entries) {
    if (entry.type !== 'email') continue;
    const email = entry as EmailEntry;
    if (seen.has(email.delivery_id)) continue;
    seen.add(email.delivery_id);
    emails.push(email);
  }
  return emails;
}

export function ticketRecordActions(ctx: AppContext): Record<string, Partial<Action<ActionResponse>>> {
  const meta = panelMeta;
  return {
    list: {
      isAccessible: staffOnly,
      // A bad filter value (say, a malformed date) is the queue's 400: show it, keep the page.
      handler: async (request, response, context) => {
        try {
          // The page size the moderator chose last (20/50/100), unless the URL names one.
          if (!request.query?.perPage) {
            const { pageSize } = await getListPreferences(ctx, requireActor(context));
            if (pageSize) request.query = { ...request.query, perPage: String(pageSize) };
          }
          return await (ListAction.handler as ActionHandler<ActionResponse>)(request, response, context);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          return {
            records: [],
            meta: { total: 0, perPage: 10, page: 1, direction: 'desc', sortBy: 'createdAt' },
            notice: { message: `${err.message}: ${Object.keys(err.fields ?? {}).join(', ')}`, type: 'error' },
          };
        }
      },
    },
    search: { isAccessible: staffOnly },
    show: {
      isAccessible: staffOnly,
      handler: async (request, response, context) => {
        const shown = (await (ShowAction.handler as ActionHandler<ActionResponse>)(
          request,
          response,
          context,
        )) as RecordActionResponse;
        const history = await getTicketHistory(ctx, requireActor(context), String(context.record!.id()));
        const emails = emailsFromHistory(history.entries);
        return {
          ...shown,
          record: { ...shown.record, params: { ...shown.record.params, emails: JSON.stringify(emails) } },
        };
      },
    },
    new: { isAccessible: nobody, isVisible: false },
    edit: {
      isAccessible: staffOnly,
      handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
        const { record, currentAdmin, resource } = context;
        if (!record) throw new AppError({ code: 'not_found', status: 404, message: 'Ticket not found' });
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        try {
          const patch = editPatch(request);
          // The form's values are compared with the current row, so without this check a form
          // opened before another moderator's change would write its old values over it.
          const expectedUpdatedAt = formLoadedUpdatedAt(request.payload);
          const ticket = Object.keys(patch).length
            ? await updateTicket(ctx, requireActor(context), String(record.id()), patch, meta(request), {
                expectedUpdatedAt,
              })
            : null;
          const json = ticket ? resource.build(ticketParams(ticket)).toJSON(currentAdmin) : record.toJSON(currentAdmin);
          // Values equal to the stored ones are not written (the service leaves them out).
          const before = record.params.updatedAt as Date | string;
          const changed = ticket && ticket.updatedAt.getTime() !== new Date(before).getTime();
          return {
            record: json,
            notice: { message: changed ? `Ticket ${ticket.ticketNumber} saved` : 'Nothing changed', type: 'success' },
            redirectUrl: backToRecord(context, request, String(record.id())),
          };
        } catch (err) {
          return recordErrorResponse(err, context);
        }
      },
    },
    delete: {
      isAccessible: adminOnly,
      isVisible: ({ currentAdmin }) => isAdminAdmin(currentAdmin),
      handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
        const { record, currentAdmin } = context;
        if (!record) throw new AppError({ code: 'not_found', status: 404, message: 'Ticket not found' });
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        try {
          await deleteTicket(ctx, requireActor(context), String(record.id()), meta(request));
          return {
            record: record.toJSON(currentAdmin),
            notice: { message: `Ticket ${String(record.params.ticketNumber)} deleted`, type: 'success' },
            redirectUrl: backToList(context, request),
          };
        } catch (err) {
          return recordErrorResponse(err, context);
        }
      },
    },
    bulkDelete: {
      isAccessible: adminOnly,
      isVisible: ({ currentAdmin }) => isAdminAdmin(currentAdmin),
      handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
        const { records = [], currentAdmin } = context;
        if (request.method !== 'post') return { records: records.map((r) => r.toJSON(currentAdmin)) };
        try {
          // One statement, one transaction: the selection is deleted whole or not at all.
          const ids = records.map((r) => String(r.id()));
          await deleteTickets(ctx, requireActor(context), ids, meta(request));
          return {
            records: records.map((r) => r.toJSON(currentAdmin)),
            notice: { message: `${records.length} ticket${records.length === 1 ? '' : 's'} deleted`, type: 'success' },
            redirectUrl: backToList(context, request),
          };
        } catch (err) {
          return bulkErrorResponse(err, context);
        }
      },
    },
  };
}

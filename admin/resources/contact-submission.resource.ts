// The Ticket resource: the moderators' queue. Reads go through the queue's services; every
// action that changes a ticket calls a contact service function (see admin/actions/).
import type { PropertyOptions, ResourceWithOptions } from 'adminjs';
import { TICKET_LAYOUT, type TicketFieldSpec } from '../../src/contact/ticket.fields.js';
import { fields } from '../../src/contact/ticket.shape.js';
import type { AppContext } from '../../src/context.js';
import { ticketBulkActions } from '../actions/ticket-bulk.actions.js';
import { ticketListActions } from '../actions/ticket-list.actions.js';
import { ticketConversationActions } from '../actions/ticket-conversation.actions.js';
import { ticketRecordActions } from '../actions/ticket-record.actions.js';
import { ticketResourceActions } from '../actions/ticket-resource.actions.js';
import { ticketSatisfactionActions } from '../actions/ticket-satisfaction.actions.js';
import { ticketTagActions } from '../actions/ticket-tags.actions.js';
import { ticketWorkflowActions } from '../actions/ticket-workflow.actions.js';
import { Components } from '../components.js';
import { valueLabel } from '../locale.js';
import { panelPath } from './ticket-filters.js';
import { createTicketResource } from './ticket-reads.js';

/** List cells that show more than the field itself (the list is one line per ticket). */
const LIST_CELLS: Record<string, string> = {
  subject: Components.SubjectCell,
  name: Components.RequesterCell,
  slaResolutionDueAt: Components.SlaDueCell,
};

type Where = 'list' | 'show' | 'edit' | 'filter';
const WHERE: readonly Where[] = ['list', 'show', 'edit', 'filter'];

const inLayout = (prop: string) =>
  Object.fromEntries(WHERE.map((w) => [w, (TICKET_LAYOUT[w] as readonly string[]).includes(prop)])) as Record<
    Where,
    boolean
  >;

/** Panel options of one declared field: where it shows, and the component its type calls for. */
function propertyOptions(f: TicketFieldSpec): PropertyOptions {
  const opts: PropertyOptions = { isVisible: inLayout(f.prop), isTitle: f.name === 'ticket_number' };
  if (f.name === 'id') opts.isVisible = false;
  // Enum values in words everywhere (list, badges, edit and filter selects): AdminJS's way is
  // labelled availableValues; flat locale keys such as `status.in_progress` are never looked up.
  if (f.type === 'enum') opts.availableValues = f.values.map((value) => ({ value, label: valueLabel(f.name, value) }));
  if (f.type === 'enum') {
    opts.components = { list: Components.StatusBadge, show: Components.StatusBadge };
    opts.custom = { badges: f.badges ?? {} };
  }
  if (f.type === 'user') {
    opts.components = { list: Components.Assignee, show: Components.Assignee };
    if (f.staffOnly)
      Object.assign(opts.components, { edit: Components.AssigneeSelect, filter: Components.AssigneeSelect });
    opts.custom = { empty: f.staffOnly ? 'Unassigned' : '—' };
  }
  if (f.type === 'text') Object.assign(opts, { type: 'textarea', components: { show: Components.PreText } });
  if (f.type === 'datetime') opts.components = { ...opts.components, list: Components.TimeCell };
  // The only ticket-to-ticket reference: a follow-up's earlier ticket.
  if (f.name === 'parent_ticket_id') opts.components = { show: Components.TicketLink };
  const listCell = LIST_CELLS[f.prop];
  if (listCell) opts.components = { ...opts.components, list: listCell };
  return opts;
}

const layout = (w: Where) =>
  (TICKET_LAYOUT[w] as readonly string[]).map((prop) => panelPath(fields.find((f) => f.prop === prop)!));

export function contactSubmissionResource(ctx: AppContext): ResourceWithOptions {
  const recordActions = ticketRecordActions(ctx);
  return {
    resource: createTicketResource(ctx),
    options: {
      navigation: { name: 'Support', icon: 'Inbox' },
      titleProperty: 'ticketNumber',
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: layout('list'),
      filterProperties: ['q', ...layout('filter'), 'tags', 'tagsMode'],
      showProperties: [...layout('show'), 'emails'],
      editProperties: layout('edit'),
      properties: {
        ...Object.fromEntries(fields.map((f) => [panelPath(f), propertyOptions(f)])),
        q: { isVisible: { list: false, show: false, edit: false, filter: true } },
        view: { isVisible: false },
        emails: {
          isVisible: { list: false, show: true, edit: false, filter: false },
          components: { show: Components.EmailsSent },
        },
        // Tags are changed in the workspace (chips) and by the bulk "Tag…" action, never in the edit form.
        tags: { isVisible: { list: false, show: false, edit: false, filter: true } },
        tagsMode: { isVisible: { list: false, show: false, edit: false, filter: true } },
      },
      actions: {
        ...recordActions,
        // The queue: search box, views with counts, new-ticket bar, keyboard (components/TicketList.tsx).
        list: { ...recordActions.list, component: Components.TicketList },
        ...ticketListActions(ctx),
        // Opening a ticket opens its workspace (thread, reply box, presence); the workspace draws
        // its own header (number and subject as the title, the record actions as buttons).
        show: { ...recordActions.show, component: Components.TicketWorkspace, hideActionHeader: true },
        ...ticketConversationActions(ctx),
        ...ticketWorkflowActions(ctx),
        ...ticketBulkActions(ctx),
        ...ticketResourceActions(ctx),
        // The customer's ratings of the ticket (src/portal/ratings.ts), read-only.
        ...ticketSatisfactionActions(ctx),
        // Tags (workspace chips, bulk "Tag…") and the reply box's canned replies.
        ...ticketTagActions(ctx),
      },
    },
  };
}

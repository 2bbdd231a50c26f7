// The Ticket resource: the moderators' queue. Reads go through the queue's services; every
// action that changes a ticket calls a contact service function (see admin/actions/).
import type { ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { ticketBulkActions } from '../actions/ticket-bulk.actions.js';
import { ticketRecordActions } from '../actions/ticket-record.actions.js';
import { ticketResourceActions } from '../actions/ticket-resource.actions.js';
import { ticketWorkflowActions } from '../actions/ticket-workflow.actions.js';
import { Components } from '../components.js';
import { createTicketResource } from './ticket-reads.js';

const only = (...where: Array<'list' | 'show' | 'edit' | 'filter'>) => ({
  list: where.includes('list'),
  show: where.includes('show'),
  edit: where.includes('edit'),
  filter: where.includes('filter'),
});

export function contactSubmissionResource(ctx: AppContext): ResourceWithOptions {
  return {
    resource: createTicketResource(ctx),
    options: {
      navigation: { name: 'Support', icon: 'Inbox' },
      titleProperty: 'ticketNumber',
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['ticketNumber', 'name', 'email', 'subject', 'category', 'status', 'assignedToId', 'createdAt'],
      filterProperties: ['q', 'status', 'category', 'assignedToId', 'createdAt'],
      showProperties: [
        'ticketNumber',
        'status',
        'category',
        'assignedToId',
        'name',
        'email',
        'subject',
        'message',
        'adminNotes',
        'resolutionNotes',
        'resolvedAt',
        'resolvedByName',
        'createdAt',
        'updatedAt',
        'submittedBy',
        'ipAddress',
        'userAgent',
        'emails',
      ],
      editProperties: ['category', 'assignedToId', 'adminNotes'],
      properties: {
        id: { isVisible: false },
        ticketNumber: { isTitle: true, isVisible: only('list', 'show') },
        status: {
          isVisible: only('list', 'show', 'filter'),
          components: { list: Components.StatusBadge, show: Components.StatusBadge },
        },
        assignedToId: {
          components: {
            list: Components.Assignee,
            show: Components.Assignee,
            edit: Components.AssigneeSelect,
            filter: Components.AssigneeSelect,
          },
        },
        message: { type: 'textarea', isVisible: only('show'), components: { show: Components.PreText } },
        adminNotes: { type: 'textarea', isVisible: only('show', 'edit'), components: { show: Components.PreText } },
        resolutionNotes: { isVisible: only('show'), components: { show: Components.PreText } },
        createdAt: { isVisible: only('list', 'show', 'filter') },
        q: { isVisible: only('filter') },
        emails: { isVisible: only('show'), components: { show: Components.EmailsSent } },
      },
      actions: {
        ...ticketRecordActions(ctx),
        ...ticketWorkflowActions(ctx),
        ...ticketBulkActions(ctx),
        ...ticketResourceActions(ctx),
      },
    },
  };
}

// Ticket actions that are not about one record: the assignee choices for the edit form and the
// filter (a hidden action, so moderators never need the admin-only Users resource), Export CSV,
// and the History tab backed by the audit trail.
import type { Action, ActionContext, ActionResponse } from 'adminjs';
import { SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { listUsers } from '../../src/auth/users.service.js';
import { getTicketHistory } from '../../src/audit/audit.service.js';
import type { AppContext } from '../../src/context.js';
import { requireActor, staffOnly } from '../access.js';
import { Components } from '../components.js';
import { recordErrorResponse } from './responses.js';

export interface AssigneeOption {
  id: string;
  name: string;
}

/**
 * Active moderators and admins, by name. Read as the system (SYSTEM_ACTOR): a moderator may not
 * list users, but may see who tickets can be assigned to — only id and name leave here.
 */
export async function assigneeOptions(ctx: AppContext): Promise<AssigneeOption[]> {
  const [mods, admins] = await Promise.all([
    listUsers(ctx, SYSTEM_ACTOR, { role: 'moderator', isActive: true, pageSize: 100 }),
    listUsers(ctx, SYSTEM_ACTOR, { role: 'admin', isActive: true, pageSize: 100 }),
  ]);
  return [...mods.items, ...admins.items]
    .map((u) => ({ id: u.id, name: u.name || u.email }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function ticketResourceActions(ctx: AppContext): Record<string, Action<ActionResponse>> {
  const actions: Record<string, Action<ActionResponse>> = {
    assignees: {
      name: 'assignees',
      actionType: 'resource',
      isAccessible: staffOnly,
      isVisible: false,
      component: false,
      handler: async () => ({ assignees: await assigneeOptions(ctx) }),
    },
    exportCsv: {
      name: 'exportCsv',
      actionType: 'resource',
      icon: 'Download',
      isAccessible: staffOnly,
      isVisible: staffOnly,
      // In a drawer, the list's current filters stay in the URL for the component to pass on.
      showInDrawer: true,
      component: Components.ExportCsv,
      handler: async () => ({}),
    },
  };
  actions.history = {
    name: 'history',
    actionType: 'record',
    icon: 'Clock',
    isAccessible: staffOnly,
    isVisible: staffOnly,
    component: Components.TicketHistory,
    handler: async (_request, _response, context: ActionContext) => {
      try {
        const history = await getTicketHistory(ctx, requireActor(context), String(context.record!.id()));
        return { record: context.record!.toJSON(context.currentAdmin), history };
      } catch (err) {
        return recordErrorResponse(err, context);
      }
    },
  };
  return actions;
}

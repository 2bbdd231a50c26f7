// The dashboard's data handler: one service call; the Dashboard component draws it.
import type { PageHandler } from 'adminjs';
import { getDashboard } from '../src/contact/dashboard.service.js';
import type { AppContext } from '../src/context.js';
import { actorOf, isStaffAdmin } from './access.js';

export function dashboardHandler(ctx: AppContext): PageHandler {
  return async (_request, _response, context) => {
    // The panel only lets staff in; this also keeps the data off any other session.
    if (!isStaffAdmin(context.currentAdmin)) return { error: 'forbidden' };
    return getDashboard(ctx, actorOf(context.currentAdmin));
  };
}

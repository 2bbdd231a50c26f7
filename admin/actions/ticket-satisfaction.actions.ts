// "Satisfaction" on a ticket: a read-only record action (a button in the workspace header) that
// shows the customer's ratings of the ticket's resolutions, "Did this solve your problem?", with
// their comments. Reads through listTicketRatings (src/portal/ratings.ts), the same as REST
// GET /contact/{id}/ratings. Changes nothing, so a GET is fine.
import type { Action, RecordActionResponse } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { listTicketRatings } from '../../src/portal/ratings.js';
import { requireActor, staffOnly } from '../access.js';

const day = (d: Date) => d.toISOString().slice(0, 10);

export function ticketSatisfactionActions(ctx: AppContext): Record<string, Partial<Action<RecordActionResponse>>> {
  return {
    satisfaction: {
      actionType: 'record',
      icon: 'Star',
      isAccessible: staffOnly,
      component: false,
      handler: async (_request, _response, context) => {
        const record = context.record!;
        const ratings = await listTicketRatings(ctx, requireActor(context), String(record.id()));
        const message = ratings.length
          ? ratings
              .map(
                (r) =>
                  `${r.score === 'good' ? 'Solved 👍' : 'Not solved 👎'} (resolution of ${day(r.resolvedAt)}, rated ${day(r.updatedAt)})` +
                  (r.comment ? `: “${r.comment.slice(0, 300)}”` : ''),
              )
              .join(' · ')
          : 'No rating yet: the customer has not answered "Did this solve your problem?"';
        return {
          record: record.toJSON(context.currentAdmin),
          notice: { message, type: ratings.some((r) => r.score === 'bad') ? 'error' : 'success' },
        };
      },
    },
  };
}

// The "My profile" page's data handler: the signed-in staff member's morning-digest opt-out
// (src/sla/sla.settings.ts, the same use case as PUT /api/v1/sla/digest). GET reads it, POST
// `{ digest_opt_out }` sets it; bad input is a 400-style `{ error }` with the field's message.
import type { PageHandler } from 'adminjs';
import type { AppContext } from '../src/context.js';
import { AppError } from '../src/errors.js';
import { getDigestOptOut, setDigestOptOut } from '../src/sla/sla.settings.js';
import { actorOf, isStaffAdmin } from './access.js';

export function profilePageHandler(ctx: AppContext): PageHandler {
  return async (request, _response, context) => {
    if (!isStaffAdmin(context.currentAdmin)) return { error: 'forbidden' };
    const actor = actorOf(context.currentAdmin);
    if (request.method === 'post') {
      try {
        return { digest_opt_out: await setDigestOptOut(ctx, actor, request.payload ?? {}) };
      } catch (err) {
        if (err instanceof AppError && err.status === 400) return { error: err.message, fields: err.fields };
        throw err;
      }
    }
    return { digest_opt_out: await getDigestOptOut(ctx, actor) };
  };
}

// REST: GET/POST /api/v1/contact/{id}/messages — parse → conversation service → shape.
import { Router, type Request } from 'express';
import { requireStaffRole } from '../auth/auth.middleware.js';
import type { AppContext } from '../context.js';
import { requireJson } from '../http/validate.js';
import { parseInput } from '../shared/input.js';
import { toThreadMessageJson, staffMessageSchema } from './conversation.schema.js';
import { getThread, postStaffMessage } from './conversation.service.js';

export function createConversationRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/:id/messages', requireStaffRole, async (req: Request<{ id: string }>, res) => {
    const thread = await getThread(ctx, req.actor!, req.params.id);
    res.json({ ticket_id: req.params.id, messages: thread.map(toThreadMessageJson) });
  });

  router.post('/:id/messages', requireStaffRole, requireJson(), async (req: Request<{ id: string }>, res) => {
    const body = parseInput(staffMessageSchema, req.body ?? {});
    const { message, ticketStatus } = await postStaffMessage(
      ctx,
      req.actor!,
      req.params.id,
      { kind: body.kind, body: body.body, status: body.status, lastSeenMessageId: body.last_seen_message_id },
      { source: 'api', requestId: req.id },
    );
    res.status(201).json({ message: toThreadMessageJson(message), ticket_status: ticketStatus });
  });

  return router;
}

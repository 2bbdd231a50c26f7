// REST: GET/POST /api/v1/contact/{id}/messages — parse → conversation service → shape.
// POST takes JSON, or multipart/form-data with the same fields and files in `attachments`
// (streamed into the message's own transaction by receiveUploads).
import { Router, type Request } from 'express';
import { receiveUploads } from '../attachments/upload.middleware.js';
import { requireStaffRole } from '../auth/auth.middleware.js';
import type { AppContext } from '../context.js';
import { requireJson } from '../http/validate.js';
import { parseInput } from '../shared/input.js';
import { staffMessageFields, toThreadMessageJson, staffMessageSchema } from './conversation.schema.js';
import { getThread, postStaffMessage } from './conversation.service.js';

export function createConversationRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/:id/messages', requireStaffRole, async (req: Request<{ id: string }>, res) => {
    const thread = await getThread(ctx, req.actor!, req.params.id);
    res.json({ ticket_id: req.params.id, messages: thread.map(toThreadMessageJson) });
  });

  router.post(
    '/:id/messages',
    requireStaffRole,
    // Staff are signed in and not rate-limited: nothing to check before the body is read.
    receiveUploads(ctx, { otherwise: requireJson(), source: 'api', beforeRead: async () => {} }),
    async (req: Request<{ id: string }>, res) => {
      req.upload?.throwIfFailed();
      const raw = (req.body ?? {}) as Record<string, unknown>;
      const body = parseInput(staffMessageSchema, req.upload ? staffMessageFields(raw) : raw);
      const { message, ticketStatus } = await postStaffMessage(
        ctx,
        req.actor!,
        req.params.id,
        { kind: body.kind, body: body.body, status: body.status, lastSeenMessageId: body.last_seen_message_id },
        { source: 'api', requestId: req.id },
        req.upload?.files,
      );
      res.status(201).json({ message: toThreadMessageJson(message), ticket_status: ticketStatus });
    },
  );

  return router;
}

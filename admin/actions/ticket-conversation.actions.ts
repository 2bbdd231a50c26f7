// The ticket workspace's API (components/TicketWorkspace.tsx), as two hidden record actions so
// that AdminJS's own route, session and `isAccessible` staff check guard them:
//   conversation  GET: the thread (getThread), the customer's ratings, and the ticket.
//                 POST { kind, body, status?, last_seen_message_id }: a reply or internal note
//                 through postStaffMessage, parsed by the REST API's staffMessageSchema. A
//                 409 stale_thread (a newer message arrived) answers `stale: true` with the
//                 thread, so the page shows what arrived and asks before sending again.
//   presence      POST { state: viewing | typing | left }: the heartbeat (presence.service),
//                 answering who else is here and the thread's version (the page's poll).
// A reply or note WITH files cannot go through AdminJS's route (its body parser, formidable,
// buffers uploads and is set to refuse them): the workspace posts those as multipart to
// POST /admin/workspace/tickets/:id/messages (workspaceUploadRoute below, mounted by router.ts
// before the body parser, behind the same session check), streamed by busboy into the
// message's own transaction like the REST API's multipart reply.
// Handlers only parse and call services; the rules live in src/conversation/.
import type { Action, ActionContext, ActionRequest, RecordActionResponse } from 'adminjs';
import type { Request, RequestHandler, Response } from 'express';
import { receiveUploads } from '../../src/attachments/upload.middleware.js';
import { requireStaff } from '../../src/auth/access.js';
import { getTicket } from '../../src/contact/contact.service.js';
import type { AppContext } from '../../src/context.js';
import {
  staffMessageFields,
  staffMessageSchema,
  toThreadMessageJson,
} from '../../src/conversation/conversation.schema.js';
import { getThread, postStaffMessage } from '../../src/conversation/conversation.service.js';
import { heartbeat, heartbeatSchema, type PresentStaff } from '../../src/conversation/presence.service.js';
import { AppError, notFound } from '../../src/errors.js';
import { listTicketRatings, type Rating } from '../../src/portal/ratings.js';
import { parseInput } from '../../src/shared/input.js';
import { actorOf, panelMeta, requireActor, staffOnly } from '../access.js';
import { ticketParams } from '../resources/ticket-reads.js';
import { recordErrorResponse } from './responses.js';

const MESSAGE_FIELDS = ['kind', 'body', 'status', 'last_seen_message_id'] as const;

/**
 * The posted fields the schema knows, as sent (JSON from the workspace; a form would send
 * strings). Anything else is left for the strict schema to refuse by name.
 */
function pick(payload: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload ?? {})) {
    if (v === undefined || (v === '' && k !== 'body')) continue;
    out[k] = keys.includes(k) && v === 'null' ? null : v;
  }
  return out;
}

const ratingJson = (r: Rating) => ({
  id: r.id,
  score: r.score,
  comment: r.comment,
  resolved_at: r.resolvedAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

async function threadJson(ctx: AppContext, context: ActionContext) {
  const ticketId = String(context.record!.id());
  const actor = requireActor(context);
  const [thread, ratings] = await Promise.all([
    getThread(ctx, actor, ticketId),
    listTicketRatings(ctx, actor, ticketId),
  ]);
  const messages = thread.map(toThreadMessageJson);
  return {
    ticket_id: ticketId,
    messages,
    ratings: ratings.map(ratingJson),
    newest_message_id: messages[messages.length - 1]?.id ?? ticketId,
  };
}

/** The ticket as it is now (a message may have changed its status or assignee). */
async function freshRecord(ctx: AppContext, context: ActionContext) {
  const ticket = await getTicket(ctx, requireActor(context), String(context.record!.id()));
  return context.resource.build(ticketParams(ticket)).toJSON(context.currentAdmin);
}

const presentJson = (p: PresentStaff) => ({ user_id: p.userId, name: p.name, state: p.state, seen_at: p.seenAt });

function requireRecord(context: ActionContext) {
  if (!context.record) throw notFound('Ticket');
}

export function ticketConversationActions(ctx: AppContext): Record<string, Action<RecordActionResponse>> {
  return {
    conversation: {
      name: 'conversation',
      actionType: 'record',
      isAccessible: staffOnly,
      isVisible: false,
      component: false,
      handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
        requireRecord(context);
        try {
          if (request.method !== 'post') {
            return {
              record: context.record!.toJSON(context.currentAdmin),
              ...(await threadJson(ctx, context)),
            };
          }
          const body = parseInput(staffMessageSchema, pick(request.payload, MESSAGE_FIELDS));
          const { message, ticketStatus } = await postStaffMessage(
            ctx,
            requireActor(context),
            String(context.record!.id()),
            { kind: body.kind, body: body.body, status: body.status, lastSeenMessageId: body.last_seen_message_id },
            panelMeta(request),
          );
          return {
            record: await freshRecord(ctx, context),
            message: toThreadMessageJson(message),
            ticket_status: ticketStatus,
            ...(await threadJson(ctx, context)),
          };
        } catch (err) {
          if (err instanceof AppError && err.code === 'stale_thread') {
            // Not an error to the moderator: show the new message(s) and ask. Nothing was written.
            return {
              record: await freshRecord(ctx, context),
              stale: true,
              error: { code: err.code, message: err.message },
              ...(await threadJson(ctx, context)),
            };
          }
          return recordErrorResponse(err, context);
        }
      },
    },
    presence: {
      name: 'presence',
      actionType: 'record',
      isAccessible: staffOnly,
      isVisible: false,
      component: false,
      handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
        requireRecord(context);
        const record = context.record!.toJSON(context.currentAdmin);
        // A GET (a link, a prefetch) records nothing: only the open page's POST is a heartbeat.
        if (request.method !== 'post') return { record };
        try {
          const input = parseInput(heartbeatSchema, pick(request.payload, ['state']));
          const result = await heartbeat(ctx, requireActor(context), String(context.record!.id()), input);
          return { record, others: result.others.map(presentJson), thread_version: result.threadVersion };
        } catch (err) {
          return recordErrorResponse(err, context);
        }
      },
    },
  };
}

/** Where the workspace posts a message with files (inside the panel's root path). */
export const WORKSPACE_UPLOAD_PATH = '/workspace/tickets/:id/messages';

const notMultipart: RequestHandler = (_req, res) =>
  void res.status(415).json({ error: { code: 'unsupported_media_type', message: 'Send multipart/form-data' } });

/**
 * The workspace's message with files: session user (router.ts puts requirePanelUser first, and the
 * service checks the role again) → multipart fields parsed by staffMessageSchema → postStaffMessage
 * with the upload. Answers JSON like the conversation action: the message and the thread, or
 * `stale: true` with the thread (nothing written), or `{ error }` with its status.
 */
export function workspaceUploadRoute(ctx: AppContext): RequestHandler[] {
  const handler = async (req: Request, res: Response) => {
    const actor = actorOf(req.session?.adminUser);
    const ticketId = String(req.params.id);
    const thread = async () => {
      const messages = (await getThread(ctx, actor, ticketId)).map(toThreadMessageJson);
      return { ticket_id: ticketId, messages, newest_message_id: messages[messages.length - 1]?.id ?? ticketId };
    };
    try {
      requireStaff(actor);
      req.upload?.throwIfFailed();
      const body = parseInput(staffMessageSchema, staffMessageFields(pick(req.body, MESSAGE_FIELDS)));
      const { message, ticketStatus } = await postStaffMessage(
        ctx,
        actor,
        ticketId,
        { kind: body.kind, body: body.body, status: body.status, lastSeenMessageId: body.last_seen_message_id },
        { source: 'admin', requestId: req.id },
        req.upload?.files,
      );
      res.status(201).json({ message: toThreadMessageJson(message), ticket_status: ticketStatus, ...(await thread()) });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'stale_thread') {
        res.status(409).json({ stale: true, error: { code: err.code, message: err.message }, ...(await thread()) });
        return;
      }
      res.status(err.status).json({ error: { code: err.code, message: err.message, fields: err.fields } });
    }
  };
  return [receiveUploads(ctx, { otherwise: notMultipart, source: 'panel', beforeRead: async () => {} }), handler];
}

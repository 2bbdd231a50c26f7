// The workspace's tags and canned replies, as hidden record actions on a ticket (AdminJS's own
// route, session and `isAccessible` staff check guard them), and the bulk "Tag…" action:
//   tags           GET: the ticket's tags. POST { op: add, tags: "a,b" } / { op: remove, tag }
//                  / { op: suggest, q }: add (unknown names become tags), remove, autocomplete.
//   cannedReplies  POST { op: list, q } (the picker's search by name) / { op: render, id } (the
//                  text for this ticket; counts one use).
//   bulkTag        "Tag…" on the list: the tags on every selected ticket, one INSERT, a notice
//                  with how many changed and which were skipped.
// Handlers only parse and call services (src/tags, src/canned).
import type { Action, ActionContext, ActionRequest, BulkActionResponse, RecordActionResponse } from 'adminjs';
import { listCannedReplies, renderCannedReply } from '../../src/canned/service.js';
import type { AppContext } from '../../src/context.js';
import { bulkTagTickets, changeTicketTags, getTicketTags, listTags, removeTicketTag } from '../../src/tags/service.js';
import { panelMeta, requireActor, staffOnly } from '../access.js';
import { Components } from '../components.js';
import { bulkHandler, selectedIds, staffBulk } from './ticket-bulk.actions.js';
import { payloadString, recordErrorResponse } from './responses.js';

/** "a, b" → ['a', 'b'] (the forms send one string; the service validates each name). */
const names = (v: string | undefined) => (v ?? '').split(',').filter((s) => s.trim() !== '');

async function tagsAnswer(ctx: AppContext, request: ActionRequest, context: ActionContext) {
  const actor = requireActor(context);
  const ticketId = String(context.record!.id());
  const record = context.record!.toJSON(context.currentAdmin);
  if (request.method !== 'post') return { record, tags: await getTicketTags(ctx, actor, ticketId) };
  const op = payloadString(request.payload, 'op');
  const meta = panelMeta(request);
  if (op === 'suggest') {
    const q = payloadString(request.payload, 'q') ?? '';
    const found = await listTags(ctx, actor, { q, limit: '10' });
    return { record, suggestions: found.map((t) => ({ id: t.id, name: t.name, ticket_count: t.ticketCount })) };
  }
  if (op === 'remove') {
    const tag = payloadString(request.payload, 'tag') ?? '';
    return { record, tags: await removeTicketTag(ctx, actor, ticketId, tag, meta) };
  }
  const tags = names(payloadString(request.payload, 'tags'));
  return { record, tags: await changeTicketTags(ctx, actor, ticketId, { tags }, { replace: false }, meta) };
}

async function cannedAnswer(ctx: AppContext, request: ActionRequest, context: ActionContext) {
  const actor = requireActor(context);
  const record = context.record!.toJSON(context.currentAdmin);
  if (payloadString(request.payload, 'op') === 'render') {
    const id = payloadString(request.payload, 'id') ?? '';
    const rendered = await renderCannedReply(
      ctx,
      actor,
      id,
      { ticket: String(context.record!.id()) },
      panelMeta(request),
    );
    return { record, text: rendered.text, usage_count: rendered.usageCount };
  }
  const q = payloadString(request.payload, 'q') ?? '';
  const page = await listCannedReplies(ctx, actor, { q, limit: '20' });
  return {
    record,
    items: page.items.map((c) => ({ id: c.id, name: c.name, scope: c.scope, preview: c.body.slice(0, 140) })),
  };
}

export function ticketTagActions(ctx: AppContext): Record<string, Action<RecordActionResponse | BulkActionResponse>> {
  const hidden = {
    actionType: 'record' as const,
    isAccessible: staffOnly,
    isVisible: false,
    component: false as const,
  };
  const guarded =
    (answer: (request: ActionRequest, context: ActionContext) => Promise<RecordActionResponse>) =>
    async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> => {
      try {
        return await answer(request, context);
      } catch (err) {
        return recordErrorResponse(err, context);
      }
    };
  return {
    tags: { ...hidden, name: 'tags', handler: guarded((req, c) => tagsAnswer(ctx, req, c)) },
    cannedReplies: { ...hidden, name: 'cannedReplies', handler: guarded((req, c) => cannedAnswer(ctx, req, c)) },
    bulkTag: {
      ...staffBulk,
      name: 'bulkTag',
      icon: 'Tag',
      component: Components.BulkActionForm,
      custom: {
        description: 'Adds the tags to every selected ticket (names separated by commas; new names become tags).',
        tagInput: true,
      },
      handler: bulkHandler((request, context) =>
        bulkTagTickets(
          ctx,
          requireActor(context),
          selectedIds(request, context),
          { tags: names(payloadString(request.payload, 'tags')) },
          panelMeta(request),
        ),
      ),
    },
  };
}

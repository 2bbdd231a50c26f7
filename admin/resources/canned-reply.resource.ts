// The Canned replies resource (Support): every moderator sees the shared replies and their own;
// admins manage the shared ones, each moderator their own. The record actions' isAccessible says
// the same as the service (src/canned/service.ts), which checks again on every write.
import type { Action, ActionContext, ActionResponse, CurrentAdmin, RecordJSON, ResourceWithOptions } from 'adminjs';
import {
  createCannedReply,
  deleteCannedReply,
  getCannedReply,
  listCannedReplies,
  updateCannedReply,
} from '../../src/canned/service.js';
import { CANNED_SCOPES, type CannedReply, type CannedScope } from '../../src/canned/schema.js';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { actorOf, isAdminAdmin, nobody, panelMeta, requireActor, staffOnly } from '../access.js';
import { guarded, payloadString, shownRecord } from '../actions/responses.js';
import { ServiceResource, type PropertySpec } from './service-resource.js';

export const CANNED_RESOURCE_ID = 'canned-replies';

const PROPERTIES: PropertySpec[] = [
  { path: 'id', type: 'uuid', isId: true },
  { path: 'name' },
  { path: 'body', type: 'textarea' },
  { path: 'scope', values: CANNED_SCOPES },
  { path: 'ownerId' },
  { path: 'usageCount', type: 'number' },
  { path: 'lastUsedAt', type: 'datetime' },
  { path: 'createdAt', type: 'datetime' },
  { path: 'updatedAt', type: 'datetime' },
];

const params = (c: CannedReply): Record<string, unknown> => ({
  id: c.id,
  name: c.name,
  body: c.body,
  scope: c.scope,
  ownerId: c.ownerId,
  usageCount: c.usageCount,
  lastUsedAt: c.lastUsedAt,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

function createCannedResource(ctx: AppContext): ServiceResource {
  const actor = (context: ActionContext) => actorOf(context.currentAdmin);
  const query = (filter: { get(path: string): { value: unknown } | null | undefined } | undefined) => {
    const v = (path: string) => {
      const x = filter?.get(path)?.value;
      return typeof x === 'string' && x.trim() ? x.trim() : undefined;
    };
    const scope = v('scope');
    return { q: v('name'), scope: CANNED_SCOPES.includes(scope as CannedScope) ? scope : undefined };
  };
  const one = async (id: string, context: ActionContext) => {
    try {
      return params(await getCannedReply(ctx, actor(context), id));
    } catch (err) {
      if (err instanceof AppError && (err.status === 404 || err.status === 400)) return null;
      throw err;
    }
  };
  return new ServiceResource(CANNED_RESOURCE_ID, PROPERTIES, {
    find: async (filter, p, context) =>
      (
        await listCannedReplies(ctx, actor(context), {
          ...query(filter),
          limit: String(Math.min(p.limit, 200)),
          offset: String(p.offset),
        })
      ).items.map(params),
    count: async (filter, context) =>
      (await listCannedReplies(ctx, actor(context), { ...query(filter), limit: '1' })).total,
    findOne: one,
    findMany: async (ids, context) =>
      (await Promise.all(ids.map((id) => one(id, context)))).filter((r): r is Record<string, unknown> => r !== null),
  });
}

/** Shared: admins; personal: the owner (others never even load it). */
const canManage = ({
  currentAdmin,
  record,
}: {
  currentAdmin?: CurrentAdmin;
  record?: { params: Record<string, unknown> };
}) => {
  const me = actorOf(currentAdmin);
  if (!me || !record) return false;
  return record.params.scope === 'shared' ? isAdminAdmin(currentAdmin) : record.params.ownerId === me.id;
};

function saved(context: ActionContext, reply: CannedReply, warnings: string[], verb: string): ActionResponse {
  const warn = warnings.length ? ` — ${warnings.join('; ')}` : '';
  return shownRecord(context, reply.id, params(reply), {
    message: `Canned reply "${reply.name}" ${verb}${warn}`,
    type: warnings.length ? 'info' : 'success',
  });
}

function cannedActions(ctx: AppContext): Record<string, Partial<Action<ActionResponse>>> {
  const staff = { isAccessible: staffOnly, isVisible: staffOnly };
  const manage = { isAccessible: canManage, isVisible: canManage };
  return {
    list: staff,
    show: staff,
    search: staff,
    new: {
      ...staff,
      handler: guarded(async (request, context) => {
        if (request.method !== 'post') return {};
        const scope = payloadString(request.payload, 'scope') || 'personal';
        const { reply, warnings } = await createCannedReply(
          ctx,
          requireActor(context),
          {
            name: payloadString(request.payload, 'name') ?? '',
            body: payloadString(request.payload, 'body') ?? '',
            scope,
          },
          panelMeta(request),
        );
        return saved(context, reply, warnings, 'saved');
      }),
    },
    edit: {
      ...manage,
      handler: guarded(async (request, context) => {
        const { record, currentAdmin } = context;
        if (!record) return {};
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        const patch: Record<string, string> = {};
        const name = payloadString(request.payload, 'name');
        const body = payloadString(request.payload, 'body');
        if (name !== undefined && name !== record.params.name) patch.name = name;
        if (body !== undefined && body !== record.params.body) patch.body = body;
        if (!Object.keys(patch).length)
          return { record: record.toJSON(currentAdmin), notice: { message: 'Nothing changed', type: 'success' } };
        const { reply, warnings } = await updateCannedReply(
          ctx,
          requireActor(context),
          String(record.id()),
          patch,
          panelMeta(request),
        );
        return saved(context, reply, warnings, 'saved');
      }),
    },
    delete: {
      ...manage,
      handler: guarded(async (request, context) => {
        const { record, currentAdmin } = context;
        if (!record) return {};
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        await deleteCannedReply(ctx, requireActor(context), String(record.id()), panelMeta(request));
        return {
          record: record.toJSON(currentAdmin) as RecordJSON,
          notice: { message: `Canned reply "${String(record.params.name)}" deleted`, type: 'success' },
          redirectUrl: context.h.resourceUrl({ resourceId: context.resource.id() }),
        };
      }),
    },
    bulkDelete: { isAccessible: nobody, isVisible: false },
  };
}

export function cannedReplyResource(ctx: AppContext): ResourceWithOptions {
  return {
    resource: createCannedResource(ctx),
    options: {
      navigation: { name: 'Support', icon: 'Inbox' },
      titleProperty: 'name',
      listProperties: ['name', 'scope', 'usageCount', 'lastUsedAt', 'updatedAt'],
      showProperties: ['name', 'scope', 'body', 'usageCount', 'lastUsedAt', 'createdAt', 'updatedAt'],
      editProperties: ['name', 'scope', 'body'],
      filterProperties: ['name', 'scope'],
      properties: {
        id: { isVisible: false },
        ownerId: { isVisible: false },
        body: {
          type: 'textarea',
          description:
            'Liquid placeholders: {{ customer.first_name | default: "there" }}, customer.name / email, ticket.number / subject / category / priority, moderator.name / first_name. Unknown ones render empty.',
        },
        // Chosen when the reply is created; moving a reply between scopes is delete and create.
        scope: { isDisabled: false, description: 'shared: the whole team (admins only); personal: only you.' },
      },
      actions: cannedActions(ctx),
    },
  };
}

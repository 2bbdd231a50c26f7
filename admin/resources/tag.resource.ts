// The Tags resource (Administration): admins only — every action's isAccessible is adminOnly, so
// the rule holds on the panel's API routes as well as in the menu. Reads and writes go through
// src/tags/service.ts: rename (edit), merge into another tag, delete. Moderators create tags by
// using them in the workspace; they never see this resource.
import type { Action, ActionContext, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { countTags, createTag, deleteTag, getTag, listTags, mergeTag, renameTag } from '../../src/tags/service.js';
import type { Tag, TagWithUsage } from '../../src/tags/schema.js';
import { actorOf, adminOnly, nobody, panelMeta, requireActor } from '../access.js';
import { Components } from '../components.js';
import { guarded, payloadString } from '../actions/responses.js';
import { ServiceResource, type PropertySpec } from './service-resource.js';

export const TAG_RESOURCE_ID = 'tags';

const PROPERTIES: PropertySpec[] = [
  { path: 'id', type: 'uuid', isId: true },
  { path: 'name' },
  { path: 'ticketCount', type: 'number' },
  { path: 'createdAt', type: 'datetime' },
];

const params = (t: Tag | TagWithUsage): Record<string, unknown> => ({
  id: t.id,
  name: t.name,
  ticketCount: 'ticketCount' in t ? t.ticketCount : undefined,
  createdAt: 'createdAt' in t ? t.createdAt : undefined,
});

function createTagResource(ctx: AppContext): ServiceResource {
  const actor = (context: ActionContext) => actorOf(context.currentAdmin);
  const q = (filter: { get(path: string): { value: unknown } | null | undefined } | undefined) => {
    const v = filter?.get('name')?.value;
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const one = async (id: string, context: ActionContext) => {
    try {
      const tag = await getTag(ctx, actor(context), id);
      // The usage numbers come with the list query; one tag's list is its name search.
      const listed = (await listTags(ctx, actor(context), { q: tag.name, limit: '500' })).find((t) => t.id === id);
      return params(listed ?? tag);
    } catch (err) {
      if (err instanceof AppError && (err.status === 404 || err.status === 400)) return null;
      throw err;
    }
  };
  return new ServiceResource(TAG_RESOURCE_ID, PROPERTIES, {
    // Sorted as the service sorts (most used first); at most 500 tags a page.
    find: async (filter, p, context) =>
      (await listTags(ctx, actor(context), { q: q(filter), limit: String(Math.min(p.offset + p.limit, 500)) }))
        .slice(p.offset, p.offset + p.limit)
        .map(params),
    count: async (filter, context) => countTags(ctx, actor(context), q(filter)),
    findOne: one,
    findMany: async (ids, context) =>
      (await Promise.all(ids.map((id) => one(id, context)))).filter((r): r is Record<string, unknown> => r !== null),
  });
}

function saved(context: ActionContext, tag: Tag, message: string): ActionResponse {
  const { resource, h, currentAdmin } = context;
  return {
    record: resource.build(params(tag)).toJSON(currentAdmin),
    notice: { message, type: 'success' },
    redirectUrl: h.resourceUrl({ resourceId: resource.id() }),
  };
}

function tagActions(ctx: AppContext): Record<string, Partial<Action<ActionResponse>>> {
  const admin = { isAccessible: adminOnly, isVisible: adminOnly };
  return {
    list: admin,
    show: admin,
    search: admin,
    new: {
      ...admin,
      handler: guarded(async (request, context) => {
        if (request.method !== 'post') return {};
        const name = payloadString(request.payload, 'name') ?? '';
        const tag = await createTag(ctx, requireActor(context), { name }, panelMeta(request));
        return saved(context, tag, `Tag "${tag.name}" saved`);
      }),
    },
    edit: {
      ...admin,
      handler: guarded(async (request, context) => {
        const { record, currentAdmin } = context;
        if (!record) return {};
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        const name = payloadString(request.payload, 'name') ?? '';
        const tag = await renameTag(ctx, requireActor(context), String(record.id()), { name }, panelMeta(request));
        return saved(context, tag, `Tag renamed to "${tag.name}"`);
      }),
    },
    merge: {
      ...admin,
      name: 'merge',
      actionType: 'record',
      icon: 'GitMerge',
      component: Components.TagMergeForm,
      showInDrawer: true,
      // GET: the tags it can be merged into. POST { into }: every ticket moves, this tag goes.
      handler: guarded(async (request, context) => {
        const { record, currentAdmin } = context;
        if (!record) return {};
        const actor = requireActor(context);
        if (request.method !== 'post') {
          const all = await listTags(ctx, actor, { limit: '500' });
          const choices = all.filter((t) => t.id !== record.id()).map((t) => ({ id: t.id, name: t.name }));
          return { record: record.toJSON(currentAdmin), choices };
        }
        const into = payloadString(request.payload, 'into') ?? '';
        const merged = await mergeTag(ctx, actor, String(record.id()), { into }, panelMeta(request));
        return saved(
          context,
          merged,
          `"${String(record.params.name)}" merged into "${merged.name}" (${merged.moved} tickets moved)`,
        );
      }),
    },
    delete: {
      ...admin,
      handler: guarded(async (request, context) => {
        const { record, currentAdmin } = context;
        if (!record) return {};
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        await deleteTag(ctx, requireActor(context), String(record.id()), panelMeta(request));
        return {
          record: record.toJSON(currentAdmin),
          notice: { message: `Tag "${String(record.params.name)}" deleted`, type: 'success' },
          redirectUrl: context.h.resourceUrl({ resourceId: context.resource.id() }),
        };
      }),
    },
    bulkDelete: { isAccessible: nobody, isVisible: false },
  };
}

export function tagResource(ctx: AppContext): ResourceWithOptions {
  return {
    resource: createTagResource(ctx),
    options: {
      navigation: { name: 'Administration', icon: 'Settings' },
      titleProperty: 'name',
      listProperties: ['name', 'ticketCount', 'createdAt'],
      showProperties: ['name', 'ticketCount', 'createdAt'],
      editProperties: ['name'],
      filterProperties: ['name'],
      properties: { id: { isVisible: false } },
      actions: tagActions(ctx),
    },
  };
}

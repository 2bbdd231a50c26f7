// Webhooks in the panel (Administration), admins only: every action's isAccessible is adminOnly,
// so the rule holds on the panel's API routes too. The endpoints resource over
// src/webhooks/service.ts: register, edit, delete, rotate the secret (the new secret is shown once,
// in the notice), and a link to the endpoint's delivery log (webhook-delivery.resource.ts).
import type { Action, ActionContext, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { WEBHOOK_EVENTS } from '../../src/webhooks/schema.js';
import * as svc from '../../src/webhooks/service.js';
import { actorOf, adminOnly, nobody, requireActor } from '../access.js';
import { guarded, payloadString, shownRecord } from '../actions/responses.js';
import { ServiceResource, type PropertySpec } from './service-resource.js';

export const WEBHOOK_ENDPOINT_RESOURCE_ID = 'webhook_endpoints';
/** The delivery log's resource (webhook-delivery.resource.ts); the endpoint links to it. */
export const WEBHOOK_DELIVERY_RESOURCE_ID = 'webhook_deliveries';

const ENDPOINT_PROPERTIES: PropertySpec[] = [
  { path: 'id', type: 'uuid', isId: true },
  { path: 'url' },
  { path: 'description' },
  // Comma-separated event names in the form (empty: every event).
  { path: 'events' },
  { path: 'active', type: 'boolean' },
  { path: 'includeInternalNotes', type: 'boolean' },
  { path: 'failingSince', type: 'datetime' },
  { path: 'disabledAt', type: 'datetime' },
  { path: 'disabledReason' },
  { path: 'previousSecretExpiresAt', type: 'datetime' },
  { path: 'createdAt', type: 'datetime' },
];

const endpointParams = (e: svc.WebhookEndpoint): Record<string, unknown> => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.events.join(', '),
  active: e.active,
  includeInternalNotes: e.include_internal_notes,
  failingSince: e.failing_since,
  disabledAt: e.disabled_at,
  disabledReason: e.disabled_reason,
  previousSecretExpiresAt: e.previous_secret_expires_at,
  createdAt: e.created_at,
});

/** The form's values as the service's input (snake_case; events as a list, empty = every event). */
function endpointInput(payload: Record<string, unknown> | undefined, partial: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const str = (k: string) => payloadString(payload, k);
  const bool = (k: string) => (str(k) === undefined ? undefined : str(k) === 'true');
  if (str('url') !== undefined || !partial) out.url = str('url') ?? '';
  if (str('description') !== undefined) out.description = str('description');
  const events = str('events');
  if (events !== undefined) {
    const list = events
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    out.events = list.length ? list : [...WEBHOOK_EVENTS];
  }
  if (bool('active') !== undefined) out.active = bool('active');
  if (bool('includeInternalNotes') !== undefined) out.include_internal_notes = bool('includeInternalNotes');
  return out;
}

export const notFoundToNull = async <T>(fn: () => Promise<T>): Promise<T | null> => {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && (err.status === 404 || err.status === 400)) return null;
    throw err;
  }
};

function endpointResource(ctx: AppContext): ServiceResource {
  const actor = (c: ActionContext) => actorOf(c.currentAdmin);
  const one = async (id: string, c: ActionContext) =>
    notFoundToNull(async () => endpointParams(await svc.getWebhookEndpoint(ctx, actor(c), id)));
  return new ServiceResource(WEBHOOK_ENDPOINT_RESOURCE_ID, ENDPOINT_PROPERTIES, {
    find: async (_f, p, c) =>
      (await svc.listWebhookEndpoints(ctx, actor(c))).slice(p.offset, p.offset + p.limit).map(endpointParams),
    count: async (_f, c) => (await svc.listWebhookEndpoints(ctx, actor(c))).length,
    findOne: one,
    findMany: async (ids, c) => (await Promise.all(ids.map((id) => one(id, c)))).filter((r) => r !== null),
  });
}

const shown = (context: ActionContext, e: svc.WebhookEndpoint, message: string): ActionResponse =>
  shownRecord(context, e.id, endpointParams(e), { message, type: 'success' });

const secretNotice = (secret: string) => `Signing secret (shown only now, copy it to the receiver): ${secret}`;

function endpointActions(ctx: AppContext): Record<string, Partial<Action<ActionResponse>>> {
  const admin = { isAccessible: adminOnly, isVisible: adminOnly };
  return {
    list: admin,
    show: admin,
    search: admin,
    new: {
      ...admin,
      handler: guarded(async (request, context) => {
        if (request.method !== 'post') return {};
        const { endpoint, secret } = await svc.createWebhookEndpoint(
          ctx,
          requireActor(context),
          endpointInput(request.payload, false) as never,
        );
        return shown(context, endpoint, `Endpoint registered. ${secretNotice(secret)}`);
      }),
    },
    edit: {
      ...admin,
      handler: guarded(async (request, context) => {
        const { record, currentAdmin } = context;
        if (!record) return {};
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        const e = await svc.updateWebhookEndpoint(
          ctx,
          requireActor(context),
          String(record.id()),
          endpointInput(request.payload, true) as never,
        );
        return shown(context, e, 'Endpoint saved');
      }),
    },
    delete: {
      ...admin,
      handler: guarded(async (request, context) => {
        const { record, currentAdmin } = context;
        if (!record) return {};
        await svc.deleteWebhookEndpoint(ctx, requireActor(context), String(record.id()));
        return {
          record: record.toJSON(currentAdmin),
          notice: { message: 'Endpoint deleted', type: 'success' },
          redirectUrl: context.h.resourceUrl({ resourceId: context.resource.id() }),
        };
      }),
    },
    rotateSecret: {
      ...admin,
      name: 'rotateSecret',
      actionType: 'record',
      icon: 'Key',
      guard: 'A new secret is made now; the current one keeps signing for 24 hours. Rotate?',
      component: false,
      handler: guarded(async (_request, context) => {
        const { endpoint, secret } = await svc.rotateWebhookSecret(
          ctx,
          requireActor(context),
          String(context.record!.id()),
        );
        return shown(
          context,
          endpoint,
          `Secret rotated (the old one stays valid for 24 hours). ${secretNotice(secret)}`,
        );
      }),
    },
    deliveries: {
      ...admin,
      name: 'deliveries',
      actionType: 'record',
      icon: 'List',
      component: false,
      handler: async (_request, _response, context) => ({
        record: context.record!.toJSON(context.currentAdmin),
        redirectUrl: `${context.h.resourceUrl({ resourceId: WEBHOOK_DELIVERY_RESOURCE_ID })}?filters.endpointId=${String(context.record!.id())}`,
      }),
    },
    bulkDelete: { isAccessible: nobody, isVisible: false },
  };
}

export function webhookEndpointResource(ctx: AppContext): ResourceWithOptions {
  return {
    resource: endpointResource(ctx),
    options: {
      navigation: { name: 'Administration', icon: 'Settings' },
      titleProperty: 'url',
      listProperties: ['url', 'events', 'active', 'includeInternalNotes', 'disabledAt'],
      showProperties: ENDPOINT_PROPERTIES.filter((p) => p.path !== 'id').map((p) => p.path),
      editProperties: ['url', 'description', 'events', 'active', 'includeInternalNotes'],
      filterProperties: [],
      properties: {
        id: { isVisible: false },
        events: { description: `Comma-separated, empty for all: ${WEBHOOK_EVENTS.join(', ')}` },
        includeInternalNotes: { description: 'Send internal notes (thread notes, ticket notes) to this endpoint' },
      },
      actions: endpointActions(ctx),
    },
  };
}

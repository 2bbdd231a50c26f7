// Webhooks in the panel (Administration), admins only: every action's isAccessible is adminOnly,
// so the rule holds on the panel's API routes too. Two resources over src/webhooks/service.ts:
// the endpoints (register, edit, delete, rotate the secret: the new secret is shown once, in the
// notice) and their delivery log (status, attempts, answer, duration) with "Resend".
import type { Action, ActionContext, ActionRequest, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { DELIVERY_STATUSES, WEBHOOK_EVENTS, type DeliveryStatus } from '../../src/webhooks/schema.js';
import * as svc from '../../src/webhooks/service.js';
import { actorOf, adminOnly, nobody, requireActor } from '../access.js';
import { payloadString, recordErrorResponse } from '../actions/responses.js';
import { ServiceResource, type PropertySpec } from './service-resource.js';

export const WEBHOOK_ENDPOINT_RESOURCE_ID = 'webhook_endpoints';
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

const DELIVERY_PROPERTIES: PropertySpec[] = [
  { path: 'id', type: 'uuid', isId: true },
  { path: 'endpointId', type: 'uuid' },
  { path: 'eventType', values: WEBHOOK_EVENTS },
  { path: 'status', values: DELIVERY_STATUSES },
  { path: 'attempts', type: 'number' },
  { path: 'responseStatus', type: 'number' },
  { path: 'durationMs', type: 'number' },
  { path: 'lastError' },
  { path: 'responseBody', type: 'textarea' },
  { path: 'webhookId' },
  { path: 'ticketId', type: 'uuid' },
  { path: 'createdAt', type: 'datetime' },
  { path: 'lastAttemptAt', type: 'datetime' },
  { path: 'nextAttemptAt', type: 'datetime' },
  { path: 'deliveredAt', type: 'datetime' },
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

const deliveryParams = (d: svc.WebhookDelivery): Record<string, unknown> => ({
  id: d.id,
  endpointId: d.endpoint_id,
  eventType: d.event_type,
  status: d.status,
  attempts: d.attempts,
  responseStatus: d.response_status,
  durationMs: d.duration_ms,
  lastError: d.last_error,
  responseBody: d.response_body,
  webhookId: d.webhook_id,
  ticketId: d.ticket_id,
  createdAt: d.created_at,
  lastAttemptAt: d.last_attempt_at,
  nextAttemptAt: d.next_attempt_at,
  deliveredAt: d.delivered_at,
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

const notFoundToNull = async <T>(fn: () => Promise<T>): Promise<T | null> => {
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

function deliveryResource(ctx: AppContext): ServiceResource {
  const actor = (c: ActionContext) => actorOf(c.currentAdmin);
  const filters = (f: { get(path: string): { value: unknown } | null | undefined } | undefined) => {
    const v = (k: string) =>
      typeof f?.get(k)?.value === 'string' && f.get(k)!.value !== '' ? String(f.get(k)!.value) : undefined;
    const status = v('status');
    return {
      endpointId: v('endpointId') ?? null,
      status: DELIVERY_STATUSES.includes(status as DeliveryStatus) ? (status as DeliveryStatus) : undefined,
    };
  };
  const one = async (id: string, c: ActionContext) =>
    notFoundToNull(async () => deliveryParams(await svc.getWebhookDelivery(ctx, actor(c), id)));
  const page = (f: Parameters<typeof filters>[0], c: ActionContext, limit: number, offset: number) => {
    const { endpointId, status } = filters(f);
    return svc.listDeliveryLog(ctx, actor(c), endpointId, { status, limit, offset });
  };
  return new ServiceResource(WEBHOOK_DELIVERY_RESOURCE_ID, DELIVERY_PROPERTIES, {
    find: async (f, p, c) =>
      (await page(f, c, Math.min(Math.max(p.limit, 1), 100), p.offset)).deliveries.map(deliveryParams),
    count: async (f, c) => (await page(f, c, 1, 0)).total,
    findOne: one,
    findMany: async (ids, c) => (await Promise.all(ids.map((id) => one(id, c)))).filter((r) => r !== null),
  });
}

type Handler = (request: ActionRequest, context: ActionContext) => Promise<ActionResponse>;
const guarded =
  (run: Handler) =>
  async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
    try {
      return await run(request, context);
    } catch (err) {
      return recordErrorResponse(err, {
        ...context,
        record: context.record ?? context.resource.build(request.payload ?? {}),
      });
    }
  };

function shown(context: ActionContext, e: svc.WebhookEndpoint, message: string): ActionResponse {
  const { resource, h, currentAdmin } = context;
  return {
    record: resource.build(endpointParams(e)).toJSON(currentAdmin),
    notice: { message, type: 'success' },
    redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: e.id, actionName: 'show' }),
  };
}

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

function deliveryActions(ctx: AppContext): Record<string, Partial<Action<ActionResponse>>> {
  const admin = { isAccessible: adminOnly, isVisible: adminOnly };
  const closed = { isAccessible: nobody, isVisible: false };
  return {
    list: admin,
    show: admin,
    search: admin,
    resend: {
      ...admin,
      name: 'resend',
      actionType: 'record',
      icon: 'Send',
      component: false,
      guard: 'Send this delivery again now (same webhook-id)?',
      handler: guarded(async (_request, context) => {
        const { record, resource, h, currentAdmin } = context;
        const d = await svc.resendWebhookDelivery(
          ctx,
          requireActor(context),
          String(record!.params.endpointId),
          String(record!.id()),
        );
        return {
          record: resource.build(deliveryParams(d)).toJSON(currentAdmin),
          notice: { message: 'Queued: it goes out again now', type: 'success' },
          redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: d.id, actionName: 'show' }),
        };
      }),
    },
    new: closed,
    edit: closed,
    delete: closed,
    bulkDelete: closed,
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

export function webhookDeliveryResource(ctx: AppContext): ResourceWithOptions {
  return {
    resource: deliveryResource(ctx),
    options: {
      navigation: { name: 'Administration', icon: 'Settings' },
      titleProperty: 'eventType',
      listProperties: ['eventType', 'status', 'attempts', 'responseStatus', 'durationMs', 'createdAt'],
      showProperties: DELIVERY_PROPERTIES.filter((p) => p.path !== 'id').map((p) => p.path),
      filterProperties: ['endpointId', 'status'],
      properties: { id: { isVisible: false } },
      actions: deliveryActions(ctx),
    },
  };
}

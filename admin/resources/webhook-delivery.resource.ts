// The webhook delivery log in the panel (Administration), admins only: every delivery with its
// status, attempts, the last answer (code, first 1 KB), duration; filter by endpoint and status;
// "Resend" queues one more attempt with the same webhook-id. Read-only otherwise.
import type { Action, ActionContext, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { DELIVERY_STATUSES, WEBHOOK_EVENTS, type DeliveryStatus } from '../../src/webhooks/schema.js';
import * as svc from '../../src/webhooks/service.js';
import { actorOf, ADMINS, NO_WRITES, requireActor } from '../access.js';
import { ServiceResource, type PropertySpec } from './service-resource.js';
import { guarded, shownRecord } from '../actions/responses.js';
import { notFoundToNull, WEBHOOK_DELIVERY_RESOURCE_ID } from './webhook.resource.js';

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
  });
}

function deliveryActions(ctx: AppContext): Record<string, Partial<Action<ActionResponse>>> {
  return {
    list: ADMINS,
    show: ADMINS,
    search: ADMINS,
    resend: {
      ...ADMINS,
      name: 'resend',
      actionType: 'record',
      icon: 'Send',
      component: false,
      guard: 'Send this delivery again now (same webhook-id)?',
      handler: guarded(async (_request, context) => {
        const { record } = context;
        const d = await svc.resendWebhookDelivery(
          ctx,
          requireActor(context),
          String(record!.params.endpointId),
          String(record!.id()),
        );
        return shownRecord(context, d.id, deliveryParams(d), {
          message: 'Queued: it goes out again now',
          type: 'success',
        });
      }),
    },
    ...NO_WRITES,
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

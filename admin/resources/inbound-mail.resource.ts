// Inbound mail in the panel (Administration), admins only: every stored mail newest first with its
// status, outcome, sender, attempts and ticket; filter by status (Failed: what needs a look);
// "Retry" puts a failed mail back in the queue (retryInboundMail, as the REST retry does).
// Read-only otherwise: the raw bytes stay in the database (a privacy export or the REST API).
import type { Action, ActionContext, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { INBOUND_STATUSES } from '../../src/inbound/inbound.schema.js';
import * as svc from '../../src/inbound/inbound.service.js';
import { actorOf, ADMINS, adminOnly, isAdminAdmin, NO_WRITES, requireActor } from '../access.js';
import { guarded, shownRecord } from '../actions/responses.js';
import { Components } from '../components.js';
import { ServiceResource, type PropertySpec } from './service-resource.js';
import { notFoundToNull } from './webhook.resource.js';

export const INBOUND_MAIL_RESOURCE_ID = 'inbound_mails';
type InboundStatus = (typeof INBOUND_STATUSES)[number];

/** Failed in red (what needs an admin), waiting in amber, done in green / grey. */
const STATUS_BADGES: Record<InboundStatus, { background: string; color: string }> = {
  received: { background: '#fff4e5', color: '#8a4b00' },
  processed: { background: '#e6f6ec', color: '#166534' },
  failed: { background: '#fde8e8', color: '#b42318' },
  ignored: { background: '#eeeeee', color: '#4b5563' },
};

const PROPERTIES: PropertySpec[] = [
  { path: 'id', type: 'uuid', isId: true },
  { path: 'receivedAt', type: 'datetime' },
  { path: 'status', values: INBOUND_STATUSES },
  { path: 'outcome' },
  { path: 'channel' },
  { path: 'envelopeFrom' },
  { path: 'messageId' },
  { path: 'size', type: 'number' },
  { path: 'attempts', type: 'number' },
  { path: 'error', type: 'textarea' },
  { path: 'ticketNumber' },
  { path: 'processedAt', type: 'datetime' },
];

const params = (m: svc.InboundMailEntry): Record<string, unknown> => ({
  id: m.id,
  receivedAt: m.receivedAt,
  status: m.status,
  outcome: m.outcome,
  channel: m.channel,
  envelopeFrom: m.envelopeFrom,
  messageId: m.messageId,
  size: m.size,
  attempts: m.attempts,
  error: m.error,
  ticketNumber: m.ticketNumber,
  processedAt: m.processedAt,
});

function mailResource(ctx: AppContext): ServiceResource {
  const actor = (c: ActionContext) => actorOf(c.currentAdmin);
  const statusOf = (f: { get(path: string): { value: unknown } | null | undefined } | undefined) => {
    const v = f?.get('status')?.value;
    return INBOUND_STATUSES.includes(v as InboundStatus) ? (v as InboundStatus) : undefined;
  };
  const one = async (id: string, c: ActionContext) =>
    notFoundToNull(async () => params(await svc.getInboundMail(ctx, actor(c), id)));
  return new ServiceResource(INBOUND_MAIL_RESOURCE_ID, PROPERTIES, {
    find: async (f, p, c) =>
      (
        await svc.listInboundMailPage(ctx, actor(c), {
          status: statusOf(f),
          limit: Math.min(Math.max(p.limit, 1), 100),
          offset: p.offset,
        })
      ).map(params),
    count: (f, c) => svc.countInboundMails(ctx, actor(c), statusOf(f)),
    findOne: one,
  });
}

function mailActions(ctx: AppContext): Record<string, Partial<Action<ActionResponse>>> {
  return {
    list: ADMINS,
    show: ADMINS,
    search: ADMINS,
    retry: {
      isAccessible: adminOnly,
      // Only where it can do something (the service's rule; called anyway, it answers 409).
      isVisible: ({ currentAdmin, record }) =>
        isAdminAdmin(currentAdmin) && svc.isRetryable(String(record?.params.status)),
      name: 'retry',
      actionType: 'record',
      icon: 'RefreshCw',
      component: false,
      guard: 'Process this mail again now?',
      handler: guarded(async (_request, context) => {
        const id = String(context.record!.id());
        await svc.retryInboundMail(ctx, requireActor(context), id);
        const fresh = await svc.getInboundMail(ctx, requireActor(context), id);
        return shownRecord(context, id, params(fresh), {
          message: 'Queued: it is processed again now',
          type: 'success',
        });
      }),
    },
    ...NO_WRITES,
  };
}

export function inboundMailResource(ctx: AppContext): ResourceWithOptions {
  return {
    resource: mailResource(ctx),
    options: {
      navigation: { name: 'Administration', icon: 'Settings' },
      titleProperty: 'envelopeFrom',
      listProperties: ['receivedAt', 'status', 'outcome', 'channel', 'envelopeFrom', 'attempts', 'ticketNumber'],
      showProperties: PROPERTIES.filter((p) => p.path !== 'id').map((p) => p.path),
      filterProperties: ['status'],
      properties: {
        id: { isVisible: false },
        status: {
          components: { list: Components.StatusBadge, show: Components.StatusBadge },
          custom: { badges: STATUS_BADGES },
        },
      },
      actions: mailActions(ctx),
    },
  };
}

// Administration → Privacy (admins only): every erasure with its progress (status, phase, tickets
// done of total, rows per table), and the page where an admin answers a request about one address:
// "Download export (ZIP)" (GET /admin/privacy/export) and "Erase this person" (a queued job). Reads
// and the erase go through src/privacy/service.ts, like the REST API; nothing writes the adapter.
import type { ActionContext, ActionRequest, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { getErasure, listErasures, requestErasure } from '../../src/privacy/service.js';
import type { ErasureView } from '../../src/privacy/schema.js';
import { actorOf, ADMINS, CLOSED, NO_WRITES, panelMeta, requireActor } from '../access.js';
import { payloadString } from '../actions/responses.js';
import { Components } from '../components.js';
import { ServiceResource, type PropertySpec } from './service-resource.js';

export const PRIVACY_RESOURCE_ID = 'privacy-requests';
export const PRIVACY_EXPORT_PATH = '/privacy/export';

const PROPERTIES: PropertySpec[] = [
  { path: 'id', type: 'uuid', isId: true },
  { path: 'kind', values: ['person', 'retention'] },
  { path: 'status', values: ['pending', 'running', 'done', 'failed'] },
  { path: 'phase' },
  { path: 'email' },
  { path: 'progress' },
  { path: 'ticketsTotal', type: 'number' },
  { path: 'ticketsDone', type: 'number' },
  { path: 'batches', type: 'number' },
  { path: 'rowsRedacted', type: 'textarea' },
  { path: 'requestedById', type: 'reference' },
  { path: 'source' },
  { path: 'lastError', type: 'textarea' },
  { path: 'createdAt', type: 'datetime' },
  { path: 'startedAt', type: 'datetime' },
  { path: 'finishedAt', type: 'datetime' },
];

function params(e: ErasureView): Record<string, unknown> {
  return {
    id: e.id,
    kind: e.kind,
    status: e.status,
    phase: e.phase,
    // Only while it runs: a finished erasure keeps nothing of the person.
    email: e.email ?? '(erased)',
    progress: `${e.tickets_done} / ${e.tickets_total} tickets`,
    ticketsTotal: e.tickets_total,
    ticketsDone: e.tickets_done,
    batches: e.batches,
    rowsRedacted: Object.entries(e.rows_redacted)
      .map(([table, n]) => `${table}: ${n}`)
      .join('\n'),
    requestedById: e.requested_by_id,
    source: e.source,
    lastError: e.last_error,
    createdAt: e.created_at,
    startedAt: e.started_at,
    finishedAt: e.finished_at,
  };
}

function createPrivacyReads(ctx: AppContext): ServiceResource {
  const actor = (context: ActionContext) => actorOf(context.currentAdmin);
  const one = async (id: string, context: ActionContext) => {
    try {
      return params(await getErasure(ctx, actor(context), id));
    } catch (err) {
      if (err instanceof AppError && (err.status === 404 || err.status === 400)) return null;
      throw err;
    }
  };
  return new ServiceResource(PRIVACY_RESOURCE_ID, PROPERTIES, {
    find: async (_filter, p, context) =>
      (await listErasures(ctx, actor(context), { limit: p.limit, offset: p.offset })).erasures.map(params),
    count: async (_filter, context) => (await listErasures(ctx, actor(context), { limit: 1 })).total,
    findOne: one,
  });
}

/** "Erase this person": the request is queued; the answer opens its progress page. */
async function erasePerson(ctx: AppContext, request: ActionRequest, context: ActionContext): Promise<ActionResponse> {
  if (request.method !== 'post') return {};
  try {
    const { erasure, created } = await requestErasure(
      ctx,
      requireActor(context),
      { email: payloadString(request.payload, 'email') ?? '' },
      panelMeta(request),
    );
    return {
      notice: {
        message: created
          ? 'Erasure queued: its progress is shown here'
          : 'An erasure of this address is already running',
        type: 'success',
      },
      redirectUrl: context.h.recordActionUrl({
        resourceId: PRIVACY_RESOURCE_ID,
        recordId: erasure.id,
        actionName: 'show',
      }),
    };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const fields = Object.entries(err.fields ?? {}).map(([f, m]) => `${f}: ${m.join('; ')}`);
    return { notice: { message: [err.message, ...fields].join(' — '), type: 'error' } };
  }
}

export function privacyResource(ctx: AppContext): ResourceWithOptions {
  return {
    resource: createPrivacyReads(ctx),
    options: {
      id: PRIVACY_RESOURCE_ID,
      navigation: { name: 'Administration', icon: 'Settings' },
      titleProperty: 'id',
      listProperties: ['kind', 'status', 'phase', 'email', 'progress', 'createdAt', 'finishedAt'],
      showProperties: [
        'kind',
        'status',
        'phase',
        'email',
        'progress',
        'batches',
        'rowsRedacted',
        'requestedById',
        'source',
        'lastError',
        'createdAt',
        'startedAt',
        'finishedAt',
      ],
      filterProperties: [],
      properties: {
        requestedById: { reference: 'users' },
        rowsRedacted: { type: 'textarea' },
      },
      actions: {
        list: ADMINS,
        show: ADMINS,
        search: CLOSED,
        ...NO_WRITES,
        // The page behind Administration → Privacy → "Export or erase a person".
        personRequest: {
          ...ADMINS,
          actionType: 'resource',
          icon: 'User',
          component: Components.PrivacyRequest,
          custom: { exportPath: PRIVACY_EXPORT_PATH },
          handler: (request, _response, context) => erasePerson(ctx, request, context),
        },
      },
    },
  };
}

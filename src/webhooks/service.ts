// Webhook endpoints, the admin's use cases (REST and panel call these): register, change, delete,
// rotate the secret, read the delivery log, resend. Admins only. The events themselves are queued
// by the changes (events.ts queueWebhookEvents) and delivered by jobs.ts.
import net from 'node:net';
import { requireAdmin } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { withPgTransaction } from '../db/tx.js';
import { AppError, notFound } from '../errors.js';
import { assertUuid } from '../shared/ids.js';
import { parseInput } from '../shared/input.js';
import { invalidateSubscriptions } from './events.js';
import * as repo from './repository.js';
import {
  deliveryListQuerySchema,
  endpointCreateSchema,
  endpointUpdateSchema,
  type DeliveryListQuery,
  type EndpointCreateInput,
  type EndpointUpdateInput,
} from './schema.js';
import { newSecret, ROTATION_GRACE_MS } from './signing.js';
import { blockedReason, urlProblem } from './ssrf.js';

export { queueWebhookEvents, ticketChangeEvents, type WebhookEvent } from './events.js';

export type WebhookEndpoint = ReturnType<typeof repo.endpointJson>;
export type WebhookDelivery = ReturnType<typeof repo.deliveryJson>;

const invalidUrl = (message: string) =>
  new AppError({
    code: 'validation_error',
    status: 400,
    message: 'The request has invalid fields',
    fields: { url: [message] },
  });

/**
 * The URL rules at save time: scheme (https only in production), and an IP literal in a refused
 * range. Names are checked again at every attempt (sender.ts), where DNS answers count.
 */
function checkUrl(ctx: AppContext, url: string): void {
  const problem = urlProblem(url, { production: ctx.config.isProduction });
  if (problem) throw invalidUrl(problem);
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const reason = net.isIP(host) && !ctx.config.WEBHOOK_ALLOW_PRIVATE ? blockedReason(host) : null;
  if (reason) throw invalidUrl(`must not point at a ${reason} address (WEBHOOK_ALLOW_PRIVATE is off)`);
}

async function endpointOrThrow(ctx: AppContext, id: string): Promise<repo.EndpointRow> {
  assertUuid(id);
  const e = await repo.findEndpoint(ctx.db.pool, id);
  if (!e) throw notFound('Webhook endpoint');
  return e;
}

export async function listWebhookEndpoints(ctx: AppContext, actor: Actor | null): Promise<WebhookEndpoint[]> {
  requireAdmin(actor);
  return (await repo.listEndpoints(ctx.db.pool)).map(repo.endpointJson);
}

export async function getWebhookEndpoint(ctx: AppContext, actor: Actor | null, id: string): Promise<WebhookEndpoint> {
  requireAdmin(actor);
  return repo.endpointJson(await endpointOrThrow(ctx, id));
}

/** Registers an endpoint; the answer is the only time its secret is shown. */
export async function createWebhookEndpoint(
  ctx: AppContext,
  actor: Actor | null,
  input: EndpointCreateInput,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  requireAdmin(actor);
  const body = parseInput(endpointCreateSchema, input);
  checkUrl(ctx, body.url);
  const secret = newSecret();
  const row = await repo.insertEndpoint(ctx.db.pool, { ...body, secret, created_by_id: actor.id }, ctx.clock.now());
  invalidateSubscriptions();
  ctx.logger.info({ endpointId: row.id, actorId: actor.id }, 'webhook endpoint registered');
  return { endpoint: repo.endpointJson(row), secret };
}

/**
 * Changes an endpoint. Turning it back on clears its failure record and sends what is still
 * pending (deliveries queued while it was off are not lost, unless their day has passed).
 */
export async function updateWebhookEndpoint(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  input: EndpointUpdateInput,
): Promise<WebhookEndpoint> {
  requireAdmin(actor);
  const current = await endpointOrThrow(ctx, id);
  const body = parseInput(endpointUpdateSchema, input);
  if (body.url !== undefined) checkUrl(ctx, body.url);
  const set: Parameters<typeof repo.updateEndpoint>[2] = {};
  for (const [k, v] of Object.entries(body)) if (v !== undefined) (set as Record<string, unknown>)[k] = v;
  const reactivated = body.active === true && !current.active;
  if (reactivated) Object.assign(set, { failing_since: null, disabled_at: null, disabled_reason: null });
  const row = await withPgTransaction(ctx.db, async (client) => {
    const updated = await repo.updateEndpoint(client, id, set, ctx.clock.now());
    if (updated && reactivated) await client.query(`SELECT ${repo.dispatchJobSql('$1::uuid')}`, [id]);
    return updated;
  });
  if (!row) throw notFound('Webhook endpoint');
  invalidateSubscriptions();
  return repo.endpointJson(row);
}

export async function deleteWebhookEndpoint(ctx: AppContext, actor: Actor | null, id: string): Promise<void> {
  requireAdmin(actor);
  assertUuid(id);
  if (!(await repo.deleteEndpoint(ctx.db.pool, id))) throw notFound('Webhook endpoint');
  invalidateSubscriptions();
}

/**
 * A new secret, shown once. The old one keeps signing (a second signature on every message)
 * for 24 hours, so receivers can switch without missing a delivery.
 */
export async function rotateWebhookSecret(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  requireAdmin(actor);
  assertUuid(id);
  const secret = newSecret();
  const now = ctx.clock.now();
  const row = await withPgTransaction(ctx.db, async (client) => {
    const current = await repo.findEndpoint(client, id, { lock: true });
    if (!current) throw notFound('Webhook endpoint');
    return repo.updateEndpoint(
      client,
      id,
      {
        secret,
        previous_secret: current.secret,
        previous_secret_expires_at: new Date(now.getTime() + ROTATION_GRACE_MS),
      },
      now,
    );
  });
  ctx.logger.info({ endpointId: id, actorId: actor.id }, 'webhook secret rotated');
  return { endpoint: repo.endpointJson(row!), secret };
}

export async function listWebhookDeliveries(
  ctx: AppContext,
  actor: Actor | null,
  endpointId: string,
  query: DeliveryListQuery = {},
): Promise<{ deliveries: WebhookDelivery[]; total: number }> {
  requireAdmin(actor);
  await endpointOrThrow(ctx, endpointId);
  const q = parseInput(deliveryListQuerySchema, query);
  const page = await repo.listDeliveries(ctx.db.pool, endpointId, q);
  return { deliveries: page.rows.map(repo.deliveryJson), total: page.total };
}

/** The panel's delivery log: one endpoint's, or every endpoint's (newest first). */
export async function listDeliveryLog(
  ctx: AppContext,
  actor: Actor | null,
  endpointId: string | null,
  query: DeliveryListQuery = {},
): Promise<{ deliveries: WebhookDelivery[]; total: number }> {
  requireAdmin(actor);
  if (endpointId !== null) return listWebhookDeliveries(ctx, actor, endpointId, query);
  const page = await repo.listDeliveries(ctx.db.pool, null, parseInput(deliveryListQuerySchema, query));
  return { deliveries: page.rows.map(repo.deliveryJson), total: page.total };
}

export async function getWebhookDelivery(
  ctx: AppContext,
  actor: Actor | null,
  deliveryId: string,
): Promise<WebhookDelivery> {
  requireAdmin(actor);
  assertUuid(deliveryId);
  const d = await repo.findDelivery(ctx.db.pool, deliveryId);
  if (!d) throw notFound('Webhook delivery');
  return repo.deliveryJson(d);
}

/** Sends a delivery again now, with the same webhook-id (the receiver can tell it is the same event). */
export async function resendWebhookDelivery(
  ctx: AppContext,
  actor: Actor | null,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  requireAdmin(actor);
  assertUuid(endpointId);
  assertUuid(deliveryId, 'deliveryId');
  const existing = await repo.findDelivery(ctx.db.pool, deliveryId);
  if (!existing || existing.endpoint_id !== endpointId) throw notFound('Webhook delivery');
  const row = await repo.requeueDelivery(ctx.db.pool, endpointId, deliveryId, ctx.clock.now());
  if (!row)
    throw new AppError({
      code: 'delivery_in_flight',
      status: 409,
      message: 'The delivery is being sent right now; try again in a moment',
    });
  return repo.deliveryJson(row);
}

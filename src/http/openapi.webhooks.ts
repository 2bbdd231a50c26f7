// OpenAPI paths of outgoing webhooks (issue 15 §1, docs/webhooks.md), from the schemas the routes parse with.
import type { z } from 'zod';
import {
  deliveryListQuerySchema,
  deliveryPageSchema,
  deliverySchema,
  endpointCreateSchema,
  endpointListSchema,
  endpointSchema,
  endpointUpdateSchema,
  endpointWithSecretSchema,
} from '../webhooks/schema.js';
import { errors, idParameter, json, queryParameters, staff, type Operation } from './openapi.helpers.js';

export const WEBHOOK_SCHEMAS: Record<string, [z.ZodType, 'input' | 'output']> = {
  WebhookEndpoint: [endpointSchema, 'output'],
  WebhookEndpointWithSecret: [endpointWithSecretSchema, 'output'],
  WebhookEndpointList: [endpointListSchema, 'output'],
  WebhookEndpointCreate: [endpointCreateSchema, 'input'],
  WebhookEndpointUpdate: [endpointUpdateSchema, 'input'],
  WebhookDelivery: [deliverySchema, 'output'],
  WebhookDeliveryPage: [deliveryPageSchema, 'output'],
};

const ADMIN = 'Admins only.';
const endpointId = { ...idParameter, description: 'Webhook endpoint id (UUID).' };
const deliveryId = { ...idParameter, name: 'deliveryId', description: 'Delivery id (UUID).' };
const ok = (description: string, name: string) => ({ description, content: json(name) });
const op = (summary: string, description: string, rest: Operation): Operation => ({
  tags: ['Webhooks'],
  summary,
  description: `${description} ${ADMIN}`,
  ...staff,
  ...rest,
});

export function webhookPaths(): Record<string, Record<string, Operation>> {
  return {
    '/api/v1/webhooks': {
      get: op('List webhook endpoints', 'Every registered endpoint (never its secret).', {
        responses: { '200': ok('The endpoints.', 'WebhookEndpointList'), ...errors('401', '403', '503') },
      }),
      post: op(
        'Register a webhook endpoint',
        'The answer carries the signing secret (`whsec_…`) once; it is never shown again (rotate to get a new one). `events` defaults to every event. URLs must use HTTPS when NODE_ENV=production; an IP literal in a private, loopback or link-local range is refused unless WEBHOOK_ALLOW_PRIVATE=true (names are checked on every attempt).',
        {
          requestBody: { required: true, content: json('WebhookEndpointCreate') },
          responses: {
            '201': ok('The endpoint and its secret.', 'WebhookEndpointWithSecret'),
            ...errors('400', '401', '403', '415', '503'),
          },
        },
      ),
    },
    '/api/v1/webhooks/{id}': {
      get: op('A webhook endpoint', 'One endpoint (never its secret).', {
        parameters: [endpointId],
        responses: { '200': ok('The endpoint.', 'WebhookEndpoint'), ...errors('400', '401', '403', '404', '503') },
      }),
      patch: op(
        'Change a webhook endpoint',
        'URL, events, active, include_internal_notes, description. Turning a disabled endpoint back on clears its failure record and sends its pending deliveries.',
        {
          parameters: [endpointId],
          requestBody: { required: true, content: json('WebhookEndpointUpdate') },
          responses: {
            '200': ok('The endpoint after the change.', 'WebhookEndpoint'),
            ...errors('400', '401', '403', '404', '415', '503'),
          },
        },
      ),
      delete: op('Delete a webhook endpoint', 'The endpoint and its delivery log.', {
        parameters: [endpointId],
        responses: { '204': { description: 'Deleted.' }, ...errors('400', '401', '403', '404', '503') },
      }),
    },
    '/api/v1/webhooks/{id}/rotate-secret': {
      post: op(
        'Rotate the signing secret',
        'A new secret, shown once in the answer. For 24 hours every message carries two signatures (new and old secret), so a receiver holding either verifies; `previous_secret_expires_at` says until when.',
        {
          parameters: [endpointId],
          responses: {
            '200': ok('The endpoint and its new secret.', 'WebhookEndpointWithSecret'),
            ...errors('400', '401', '403', '404', '503'),
          },
        },
      ),
    },
    '/api/v1/webhooks/{id}/deliveries': {
      get: op(
        'Delivery log',
        'The endpoint’s deliveries, newest first: status, attempts, the last answer’s status code and first 1 KB, duration, the payload as sent.',
        {
          parameters: [endpointId, ...queryParameters(deliveryListQuerySchema)],
          responses: { '200': ok('One page.', 'WebhookDeliveryPage'), ...errors('400', '401', '403', '404', '503') },
        },
      ),
    },
    '/api/v1/webhooks/{id}/deliveries/{deliveryId}/resend': {
      post: op(
        'Resend a delivery',
        'Queues the delivery for an attempt now, with the same webhook-id (receivers de-duplicate on it). 409 while it is being sent.',
        {
          parameters: [endpointId, deliveryId],
          responses: {
            '202': ok('The delivery, queued.', 'WebhookDelivery'),
            ...errors('400', '401', '403', '404', '409', '503'),
          },
        },
      ),
    },
  };
}

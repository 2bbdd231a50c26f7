// Webhooks: the event names, what an admin may send to register or change an endpoint (REST and
// panel parse with these), and the JSON the API returns.
import { z } from 'zod';
import { strictKeys } from '../shared/input.js';
import { CONTROL_CHARS } from '../shared/text.js';

export const WEBHOOK_EVENTS = [
  'ticket.created',
  'ticket.updated',
  'ticket.resolved',
  'message.created',
  'rating.created',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const eventList = z
  .array(z.enum(WEBHOOK_EVENTS, { error: `must be one of: ${WEBHOOK_EVENTS.join(', ')}` }), {
    error: 'must be a list of event names',
  })
  .min(1, 'must name at least one event')
  .transform((list) => [...new Set(list)]);

const description = z
  .string({ error: 'must be a string' })
  .max(255, 'must be at most 255 characters')
  .refine((v) => !CONTROL_CHARS.test(v) && !/[\r\n]/.test(v), 'must be a single line without control characters');

// The URL's scheme and host rules depend on the environment (https only in production), so the
// service checks them (ssrf.ts urlProblem); here only its shape.
const url = z
  .string({ error: 'must be a URL' })
  .trim()
  .min(1, 'is required')
  .max(2000, 'must be at most 2000 characters');

export const endpointCreateSchema = z.strictObject(
  {
    url,
    events: eventList.default([...WEBHOOK_EVENTS]),
    active: z.boolean({ error: 'must be true or false' }).default(true),
    include_internal_notes: z.boolean({ error: 'must be true or false' }).default(false),
    description: description.default(''),
  },
  strictKeys(),
);
export type EndpointCreateInput = z.input<typeof endpointCreateSchema>;

export const endpointUpdateSchema = z
  .strictObject(
    {
      url: url.optional(),
      events: eventList.optional(),
      active: z.boolean({ error: 'must be true or false' }).optional(),
      include_internal_notes: z.boolean({ error: 'must be true or false' }).optional(),
      description: description.optional(),
    },
    strictKeys(),
  )
  .refine(
    (b) => Object.keys(b).length > 0,
    'send at least one of: url, events, active, include_internal_notes, description',
  );
export type EndpointUpdateInput = z.input<typeof endpointUpdateSchema>;

export const deliveryListQuerySchema = z.object({
  status: z.enum(DELIVERY_STATUSES, { error: `must be one of: ${DELIVERY_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1).max(100).default(50),
  offset: z.coerce.number({ error: 'must be a number' }).int().min(0).max(1_000_000).default(0),
});
export type DeliveryListQuery = z.input<typeof deliveryListQuerySchema>;

// --- out ---------------------------------------------------------------------------------------

const ts = z.iso.datetime().nullable();

export const endpointSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  active: z.boolean(),
  include_internal_notes: z.boolean(),
  /** Set when the previous secret still signs (after a rotation), until then. */
  previous_secret_expires_at: ts,
  failing_since: ts,
  disabled_at: ts,
  disabled_reason: z.string().nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

/** Creation and rotation: the only answers that carry the secret. */
export const endpointWithSecretSchema = endpointSchema.extend({ secret: z.string() });

export const deliverySchema = z.object({
  id: z.uuid(),
  endpoint_id: z.uuid(),
  event_id: z.uuid(),
  webhook_id: z.string(),
  event_type: z.enum(WEBHOOK_EVENTS),
  ticket_id: z.uuid().nullable(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  next_attempt_at: ts,
  last_attempt_at: ts,
  response_status: z.number().int().nullable(),
  response_body: z.string().nullable(),
  duration_ms: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: z.iso.datetime(),
  delivered_at: ts,
  payload: z.record(z.string(), z.unknown()),
});

export const endpointListSchema = z.object({ endpoints: z.array(endpointSchema) });
export const deliveryPageSchema = z.object({ deliveries: z.array(deliverySchema), total: z.number().int() });

// The JSON shapes of the inbound endpoints (REST output and OpenAPI are generated from these).
import { z } from 'zod';

export const INBOUND_STATUSES = ['received', 'processed', 'failed', 'ignored'] as const;

export const inboundListQuerySchema = z.strictObject({
  status: z.enum(INBOUND_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Keyset: the received_at/id of the last row of the previous page, as returned in `next`. */
  before: z.string().max(100).optional(),
});
export const inboundMailSchema = z.object({
  id: z.uuid(),
  channel: z.enum(['smtp', 'imap', 'http']),
  status: z.enum(INBOUND_STATUSES),
  outcome: z
    .string()
    .nullable()
    .describe('appended, reopened, new_ticket, follow_up, duplicate, auto_reply, bounce, loop, no_sender'),
  error: z.string().nullable().describe('Why processing failed (status failed).'),
  attempts: z.int(),
  message_id: z.string().nullable(),
  envelope_from: z.string().nullable(),
  size: z.int().describe('Bytes of the raw message (kept in full).'),
  ticket_id: z.uuid().nullable(),
  ticket_message_id: z.uuid().nullable(),
  received_at: z.iso.datetime(),
  processed_at: z.iso.datetime().nullable(),
});

export const inboundMailPageSchema = z.object({
  mails: z.array(inboundMailSchema),
  next: z.string().nullable().describe('Pass as `before` for the next (older) page; null on the last page.'),
});

export const inboundAcceptedSchema = z.object({
  id: z.uuid().describe('The stored inbound mail; processing follows asynchronously.'),
  status: z.literal('received'),
});

// zod schemas of the conversation API: what a staff message may contain and how a thread entry
// is returned (snake_case). The OpenAPI document is generated from these.
import { z } from 'zod';
import { multiLineText } from '../contact/contact.schema.js';
import { strictKeys } from '../shared/input.js';
import type { RefusalReason } from '../attachments/limits.js';
import type { ThreadMessage } from './thread.repository.js';

export const MESSAGE_MAX_LENGTH = 20_000;

export const staffMessageSchema = z.strictObject(
  {
    kind: z.enum(['reply', 'note'], { error: 'must be reply or note' }),
    body: multiLineText(1, MESSAGE_MAX_LENGTH),
    status: z.enum(['in_progress', 'resolved'], { error: 'must be in_progress or resolved' }).optional(),
    last_seen_message_id: z
      .guid({ error: 'must be the id of the newest message you saw (UUID)' })
      .nullable()
      .optional()
      .meta({ description: 'Refuse with 409 stale_thread when a newer message arrived since (collision guard).' }),
  },
  strictKeys(),
);
/**
 * Form fields are all strings: an empty optional field means "not given" (as JSON would leave it
 * out), `null` for last_seen_message_id is its JSON null. The body stays as sent (the schema says
 * when it is empty).
 */
export function staffMessageFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k !== 'body' && (v === '' || v === undefined)) continue;
    out[k] = k === 'last_seen_message_id' && v === 'null' ? null : v;
  }
  return out;
}

export type StaffMessageBody = z.infer<typeof staffMessageSchema>;

export const threadMessageSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['submission', 'reply', 'note', 'customer']),
  direction: z.enum(['in', 'out', 'internal']),
  author: z.object({
    type: z.enum(['customer', 'staff']),
    id: z.uuid().nullable(),
    name: z.string(),
    email: z.string(),
  }),
  body_text: z.string(),
  body_html: z.string().nullable(),
  created_at: z.iso.datetime(),
  message_id: z.string().nullable(),
  channel: z.string(),
  delivery: z
    .object({
      status: z.enum(['queued', 'sent', 'failed']),
      attempts: z.number().int(),
      error: z.string().nullable(),
      sent_at: z.iso.datetime().nullable(),
    })
    .nullable(),
  attachments: z.array(
    z.object({
      id: z.uuid(),
      file_name: z.string(),
      content_type: z.string().meta({ description: 'The sniffed type the file is served with.' }),
      size: z.number().int(),
      download_url: z.string().meta({ description: 'GET with the same Bearer token (path relative to the API host).' }),
    }),
  ),
  refused_attachments: z
    .array(
      z.object({
        file_name: z.string(),
        size: z.number().int(),
        reason: z.enum(['too_many', 'too_large', 'total_too_large', 'executable']),
        detail: z.string(),
      }),
    )
    .meta({
      description:
        'Files that came with an inbound mail but were not stored (over the attachment limits, or a program); the raw mail keeps them.',
    }),
});

export const threadSchema = z.object({
  ticket_id: z.uuid(),
  messages: z.array(threadMessageSchema),
});

export const postedMessageSchema = z.object({
  message: threadMessageSchema,
  ticket_status: z.enum(['pending', 'in_progress', 'resolved', 'archived']),
});

export function toThreadMessageJson(m: ThreadMessage): z.infer<typeof threadMessageSchema> {
  return {
    id: m.id,
    kind: m.kind,
    direction: m.direction,
    author: m.author,
    body_text: m.bodyText,
    body_html: m.bodyHtml,
    created_at: m.createdAt.toISOString(),
    message_id: m.messageId,
    channel: m.channel,
    delivery: m.delivery
      ? {
          status: m.delivery.status,
          attempts: m.delivery.attempts,
          error: m.delivery.error,
          sent_at: m.delivery.sentAt ? m.delivery.sentAt.toISOString() : null,
        }
      : null,
    attachments: m.attachments.map((a) => ({
      id: a.id,
      file_name: a.fileName,
      content_type: a.contentType,
      size: a.size,
      download_url: `/api/v1/attachments/${a.id}`,
    })),
    refused_attachments: m.refused.map((r) => ({
      file_name: r.fileName,
      size: r.size,
      reason: r.reason as RefusalReason,
      detail: r.detail,
    })),
  };
}

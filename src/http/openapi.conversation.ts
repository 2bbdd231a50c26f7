// OpenAPI paths of conversations: a ticket's thread and inbound mail (issue 11).
import { inboundListQuerySchema } from '../inbound/inbound.schema.js';
import { errors, idParameter, json, queryParameters, STAFF, staff, type Operation } from './openapi.helpers.js';

/** The multipart form of a staff message: the JSON fields as form fields, and the files. */
const staffMessageForm = {
  schema: {
    type: 'object',
    required: ['kind', 'body'],
    properties: {
      kind: { type: 'string', enum: ['reply', 'note'] },
      body: { type: 'string', minLength: 1, maxLength: 20000 },
      status: { type: 'string', enum: ['in_progress', 'resolved'] },
      last_seen_message_id: { type: 'string', description: 'UUID, or `null`; see the JSON body.' },
      attachments: {
        type: 'array',
        description: 'The files, in order (ATTACHMENT_MAX_FILES per message).',
        items: { type: 'string', contentMediaType: 'application/octet-stream' },
      },
    },
  },
  encoding: { attachments: { contentType: '*/*' } },
};

export function conversationPaths(): Record<string, Record<string, Operation>> {
  return {
    '/api/v1/contact/{id}/messages': {
      get: {
        tags: ['Conversations'],
        summary: 'Ticket thread',
        description: `The conversation, oldest first: the original message, public replies (with their email's delivery state), internal notes and customer messages. ${STAFF}`,
        ...staff,
        parameters: [idParameter],
        responses: {
          '200': { description: 'The thread.', content: json('Thread') },
          ...errors('400', '401', '403', '404', '503'),
        },
      },
      post: {
        tags: ['Conversations'],
        summary: 'Reply or add a note',
        description: `\`reply\` is emailed to the customer (From MAIL_FROM, Reply-To the ticket's reply address, threaded); \`note\` is internal and never emailed. The first reply to a pending ticket takes it in progress and assigns it to the replier when unassigned; \`status: resolved\` resolves in the same step (one email: the reply). \`last_seen_message_id\` guards against sending blind: 409 \`stale_thread\` when a newer message arrived. ${STAFF}`,
        ...staff,
        parameters: [idParameter],
        requestBody: {
          required: true,
          description:
            "JSON, or `multipart/form-data` with the same fields plus files in `attachments` (the plain form way, e.g. `curl -F kind=reply -F body=... -F attachments=@manual.pdf`). Files are streamed into the message's own transaction: a refused file (413 over ATTACHMENT_MAX_BYTES / ATTACHMENT_MAX_FILES / ATTACHMENT_MAX_TOTAL_BYTES, 415 a program) writes no message. A reply's files are attached to its email; a note's are never emailed.",
          content: { ...json('StaffMessage'), 'multipart/form-data': staffMessageForm },
        },
        responses: {
          '201': { description: 'The message and the ticket status after it.', content: json('PostedMessage') },
          '413': { description: 'A file over a limit (named in `fields.attachments`).', content: json('Error') },
          ...errors('400', '401', '403', '404', '409', '415', '503'),
        },
      },
    },
    '/api/v1/inbound/mime': {
      post: {
        tags: ['Inbound mail'],
        summary: 'Receive a raw email',
        description:
          'For mail providers that forward inbound mail over HTTP. The body is the raw RFC 822 message (`message/rfc822`, or `text/plain`), up to 25 MB. Authenticated by `Authorization: Bearer <INBOUND_HTTP_SECRET>` (not an API token); when INBOUND_HTTP_SECRET is unset the endpoint does not exist (404). Answers 202 once the raw message is stored (committed): the provider may then forget it. Processing (matching to a ticket, see docs/conversations.md) follows in the background; the same mail posted twice is one message.',
        security: [{ inboundSecret: [] }],
        requestBody: {
          required: true,
          content: {
            'message/rfc822': { schema: { type: 'string', contentMediaType: 'message/rfc822' } },
            'text/plain': { schema: { type: 'string' } },
          },
        },
        responses: {
          '202': { description: 'Stored; processing is queued.', content: json('InboundAccepted') },
          '400': { description: 'Empty body.', content: json('Error') },
          '401': { description: 'Missing or wrong inbound secret.', content: json('Error') },
          '404': {
            description: 'Inbound over HTTP is not configured (INBOUND_HTTP_SECRET unset).',
            content: json('Error'),
          },
          '413': { description: 'Message larger than 25 MB.', content: json('Error') },
          '415': { description: 'Not message/rfc822 or text/plain.', content: json('Error') },
          ...errors('503'),
        },
      },
    },
    '/api/v1/inbound/mails': {
      get: {
        tags: ['Inbound mail'],
        summary: 'Stored inbound mails',
        description:
          'Every received mail with what processing made of it, newest first (the raw bytes are not included). `?status=failed` lists the ones that could not be processed. Admin only.',
        ...staff,
        parameters: queryParameters(inboundListQuerySchema),
        responses: {
          '200': { description: 'One page.', content: json('InboundMailPage') },
          ...errors('400', '401', '403', '503'),
        },
      },
    },
    '/api/v1/inbound/mails/{id}/retry': {
      post: {
        tags: ['Inbound mail'],
        summary: 'Retry a failed inbound mail',
        description:
          'Puts a failed mail back in the processing queue (after the cause was fixed). 409 `not_retryable` for a mail already processed or ignored. Admin only.',
        ...staff,
        parameters: [{ ...idParameter, description: 'Inbound mail id (UUID).' }],
        responses: {
          '202': { description: 'Queued again.', content: json('InboundAccepted') },
          ...errors('400', '401', '403', '404', '409', '503'),
        },
      },
    },
  };
}

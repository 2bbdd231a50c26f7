// The OpenAPI 3.1 description of the REST API, generated from the same zod schemas the routes
// parse with (z.toJSONSchema), so the document cannot promise what the API does not accept.
// Served as JSON at GET /api/v1/openapi.json and rendered as HTML at GET /api/docs.
import { z } from 'zod';
import { auditListFiltersSchema } from '../audit/audit.schema.js';
import { tokenRequestSchema, tokenResponseSchema } from '../auth/auth.schema.js';
import { publicSubmissionSchema, submitInputSchema } from '../contact/contact.schema.js';
import {
  assignToMeSchema,
  emptyBodySchema,
  markResolvedSchema,
  moderatorTicketSchema,
  ticketListSchema,
  ticketRatingsSchema,
  ticketStatsSchema,
} from '../contact/moderator.schema.js';
import { ticketExportQuerySchema, ticketListQuerySchema } from '../contact/ticket.filters.js';
import { ticketPatchSchema } from '../contact/ticket.shape.js';
import { postedMessageSchema, staffMessageSchema, threadSchema } from '../conversation/conversation.schema.js';
import {
  inboundAcceptedSchema,
  inboundListQuerySchema,
  inboundMailPageSchema,
  inboundMailSchema,
} from '../inbound/inbound.schema.js';
import {
  auditEventPageDocSchema,
  ERROR_RESPONSES,
  errorSchema,
  PARAMETER_DOCS,
  ticketHistoryDocSchema,
} from './openapi.schemas.js';

export type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });

/** Named schemas: [zod schema, direction]. Requests are described as sent, responses as returned. */
const SCHEMAS: Record<string, [z.ZodType, 'input' | 'output']> = {
  Error: [errorSchema, 'output'],
  SubmitInput: [submitInputSchema, 'input'],
  PublicSubmission: [publicSubmissionSchema, 'output'],
  TokenRequest: [tokenRequestSchema, 'input'],
  TokenResponse: [tokenResponseSchema, 'output'],
  Ticket: [moderatorTicketSchema, 'output'],
  TicketList: [ticketListSchema, 'output'],
  TicketStats: [ticketStatsSchema, 'output'],
  TicketPatch: [ticketPatchSchema, 'input'],
  AssignToMe: [assignToMeSchema, 'input'],
  MarkResolved: [markResolvedSchema, 'input'],
  EmptyBody: [emptyBodySchema, 'input'],
  TicketHistory: [ticketHistoryDocSchema, 'output'],
  TicketRatings: [ticketRatingsSchema, 'output'],
  RevokedLinks: [z.object({ revoked: z.number().int() }), 'output'],
  StaffMessage: [staffMessageSchema, 'input'],
  Thread: [threadSchema, 'output'],
  PostedMessage: [postedMessageSchema, 'output'],
  AuditEventPage: [auditEventPageDocSchema, 'output'],
  InboundMail: [inboundMailSchema, 'output'],
  InboundMailPage: [inboundMailPageSchema, 'output'],
  InboundAccepted: [inboundAcceptedSchema, 'output'],
};

function errors(...codes: string[]): Record<string, unknown> {
  return Object.fromEntries(codes.map((c) => [c, { $ref: `#/components/responses/E${c}` }]));
}

function queryParameters(schema: z.ZodObject): Array<Record<string, unknown>> {
  return Object.entries(schema.shape).map(([name, field]) => {
    const fieldSchema = toJsonSchema(field as z.ZodType, 'input');
    const repeatable = JSON.stringify(fieldSchema).includes('"type":"array"');
    return {
      name,
      in: 'query',
      required: false,
      description: PARAMETER_DOCS[name] ?? String(fieldSchema.description ?? ''),
      schema: fieldSchema,
      ...(repeatable ? { style: 'form', explode: true } : {}),
    };
  });
}

const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Ticket id (UUID). A malformed id is a 400, an unknown one a 404.',
  schema: { type: 'string', format: 'uuid' },
};

const STAFF = 'Moderator or admin.';
const staff = { security: [{ bearerAuth: [] }] };
const ticketOk = { description: 'The ticket after the change.', content: json('Ticket') };

function action(summary: string, description: string, body: string, extra: Operation = {}): Operation {
  return {
    tags: ['Tickets'],
    summary,
    description: `${description} ${STAFF}`,
    ...staff,
    parameters: [idParameter],
    requestBody: { required: false, content: json(body) },
    responses: { '200': ticketOk, ...errors('400', '401', '403', '404', '409', '415', '503') },
    ...extra,
  };
}

function buildPaths(): Record<string, Record<string, Operation>> {
  return {
    '/healthz': {
      get: {
        tags: ['Health'],
        summary: 'Liveness',
        security: [],
        responses: { '200': { description: 'The process answers.' } },
      },
    },
    '/readyz': {
      get: {
        tags: ['Health'],
        summary: 'Readiness',
        description: 'Database reachable and every migration applied.',
        security: [],
        responses: { '200': { description: 'Ready.' }, '503': { description: 'Not ready (body says why).' } },
      },
    },
    '/api/v1/contact/submit': {
      post: {
        tags: ['Public'],
        summary: 'Submit the contact form',
        description:
          'Anyone may submit. With a valid Bearer token of any role the ticket is linked to that user. Accepts JSON or an HTML form post (then answers with an HTML page). Rate limited per IP.',
        security: [{}, { bearerAuth: [] }],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: ref('SubmitInput') },
            'application/x-www-form-urlencoded': { schema: ref('SubmitInput') },
          },
        },
        responses: {
          '201': { description: 'The new ticket (public fields only).', content: json('PublicSubmission') },
          ...errors('400', '401', '413', '415', '429', '503'),
        },
      },
    },
    '/api/v1/auth/token': {
      post: {
        tags: ['Auth'],
        summary: 'Log in for an API token',
        description:
          'Wrong credentials or an inactive user give one generic 401. Repeated failures are throttled per account and per IP (429 with Retry-After).',
        security: [],
        requestBody: { required: true, content: json('TokenRequest') },
        responses: {
          '200': { description: 'A new opaque Bearer token (shown once).', content: json('TokenResponse') },
          ...errors('400', '401', '415', '429', '503'),
        },
      },
      delete: {
        tags: ['Auth'],
        summary: 'Revoke the token used for this request',
        ...staff,
        responses: { '204': { description: 'Revoked.' }, ...errors('401', '503') },
      },
    },
    '/api/v1/contact/': {
      get: {
        tags: ['Tickets'],
        summary: 'List tickets',
        description: `Filtered, ordered, paginated. Archived tickets are left out unless \`status\` includes archived or \`include_archived=true\`. Unknown parameters are a 400. ${STAFF}`,
        ...staff,
        parameters: queryParameters(ticketListQuerySchema),
        responses: {
          '200': { description: 'One page.', content: json('TicketList') },
          ...errors('400', '401', '403', '503'),
        },
      },
    },
    '/api/v1/contact/stats/overview': {
      get: {
        tags: ['Tickets'],
        summary: 'Queue statistics',
        description: `Totals by status and category, open and unassigned counts, recent volume, time to resolution, oldest pending ticket, open tickets per assignee. ${STAFF}`,
        ...staff,
        responses: {
          '200': { description: 'Statistics.', content: json('TicketStats') },
          ...errors('401', '403', '503'),
        },
      },
    },
    '/api/v1/contact/export.csv': {
      get: {
        tags: ['Tickets'],
        summary: 'Export tickets as CSV',
        description: `Every ticket matching the same filters as the list (no pagination), streamed. RFC 4180, UTF-8 (with a BOM unless \`bom=false\`), CRLF line ends, a header row, ISO 8601 dates; text starting with = + - @ TAB or CR is prefixed with a single quote. Each export is recorded (who, filters, row count). ${STAFF}`,
        ...staff,
        parameters: queryParameters(ticketExportQuerySchema),
        responses: {
          '200': {
            description:
              'The CSV file (Content-Disposition: attachment; filename="contactdesk-tickets-YYYY-MM-DD.csv").',
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
          ...errors('400', '401', '403', '503'),
        },
      },
    },
    '/api/v1/contact/{id}': {
      get: {
        tags: ['Tickets'],
        summary: 'Get one ticket',
        description: `The full record: notes, IP address, user agent, submitter, assignee and resolver. ${STAFF}`,
        ...staff,
        parameters: [idParameter],
        responses: {
          '200': { description: 'The ticket.', content: json('Ticket') },
          ...errors('400', '401', '403', '404', '503'),
        },
      },
      patch: {
        tags: ['Tickets'],
        summary: 'Update a ticket',
        description: `Status changes follow the status machine (pending → in_progress | resolved; in_progress → pending | resolved; resolved → in_progress | archived; archived → resolved); anything else is a 409. Resolving sets resolved_by / resolved_at, reopening clears them. \`assigned_to_id\` must be an active moderator or admin; null unassigns. ${STAFF}`,
        ...staff,
        parameters: [idParameter],
        requestBody: { required: true, content: json('TicketPatch') },
        responses: { '200': ticketOk, ...errors('400', '401', '403', '404', '409', '413', '415', '503') },
      },
      delete: {
        tags: ['Tickets'],
        summary: 'Delete a ticket',
        description: 'Admin only. The audit history stays readable.',
        ...staff,
        parameters: [idParameter],
        responses: { '204': { description: 'Deleted.' }, ...errors('400', '401', '403', '404', '503') },
      },
    },
    '/api/v1/contact/{id}/assign-to-me': {
      post: action(
        'Assign to me',
        'Assigns the ticket to the caller; a pending ticket becomes in_progress. Assigned to someone else → 409 unless `{"force": true}`. Of two moderators claiming at once exactly one wins.',
        'AssignToMe',
      ),
    },
    '/api/v1/contact/{id}/mark-resolved': {
      post: action(
        'Mark resolved',
        'From pending or in_progress. Sets resolved_by / resolved_at, stores the optional resolution notes and emails the submitter.',
        'MarkResolved',
      ),
    },
    '/api/v1/contact/{id}/reopen': {
      post: action('Reopen', 'resolved → in_progress; clears resolved_by / resolved_at.', 'EmptyBody'),
    },
    '/api/v1/contact/{id}/archive': {
      post: action('Archive', 'resolved → archived.', 'EmptyBody'),
    },
    '/api/v1/contact/{id}/restore': {
      post: action('Restore', 'archived → resolved (the original resolution is kept).', 'EmptyBody'),
    },
    '/api/v1/contact/{id}/customer-links/revoke': {
      post: {
        tags: ['Tickets'],
        summary: 'Revoke the customer page links',
        description:
          'Admin only. Every live `/t/<token>` link of the ticket stops working (404); later customer mails carry fresh links. See docs/portal.md.',
        ...staff,
        parameters: [idParameter],
        responses: {
          '200': { description: 'How many links were revoked.', content: json('RevokedLinks') },
          ...errors('400', '401', '403', '404', '503'),
        },
      },
    },
    '/api/v1/contact/{id}/ratings': {
      get: {
        tags: ['Tickets'],
        summary: 'Satisfaction ratings',
        description: `The customer's answers to "Did this solve your problem?", one per resolution, newest resolution first. ${STAFF}`,
        ...staff,
        parameters: [idParameter],
        responses: {
          '200': { description: 'The ratings.', content: json('TicketRatings') },
          ...errors('400', '401', '403', '503'),
        },
      },
    },
    '/api/v1/contact/{id}/history': {
      get: {
        tags: ['Tickets'],
        summary: 'Ticket history',
        description: `Every recorded change (who, through what, which fields from → to) and every email, newest first. Still readable after the ticket is deleted. ${STAFF}`,
        ...staff,
        parameters: [idParameter],
        responses: {
          '200': { description: 'The history.', content: json('TicketHistory') },
          ...errors('400', '401', '403', '404', '503'),
        },
      },
    },
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
        requestBody: { required: true, content: json('StaffMessage') },
        responses: {
          '201': { description: 'The message and the ticket status after it.', content: json('PostedMessage') },
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
          '404': { description: 'Inbound over HTTP is not configured (INBOUND_HTTP_SECRET unset).', content: json('Error') },
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
    '/api/v1/audit/events': {
      get: {
        tags: ['Audit'],
        summary: 'Audit events',
        description: 'Every audited change to tickets or users, newest first, keyset-paginated. Admin only.',
        ...staff,
        parameters: queryParameters(auditListFiltersSchema),
        responses: {
          '200': { description: 'One page.', content: json('AuditEventPage') },
          ...errors('400', '401', '403', '503'),
        },
      },
    },
  };
}

let cached: JsonSchema | undefined;

/** The OpenAPI 3.1 document (built once: the schemas do not change while the process runs). */
export function openApiDocument(): JsonSchema {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'ContactDesk API',
      version: '1',
      description:
        'Contact form and support-ticket API. Authenticate with `Authorization: Bearer <token>` from POST /api/v1/auth/token. Errors are always `{"error": {"code", "message", "fields"?}}`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: 'Public', description: 'No account needed.' },
      { name: 'Auth', description: 'API tokens.' },
      { name: 'Tickets', description: 'The moderator queue (moderators and admins).' },
      {
        name: 'Conversations',
        description: "A ticket's thread: replies to the customer, internal notes, customer messages.",
      },
      { name: 'Audit', description: 'Audit trail.' },
      { name: 'Inbound mail', description: 'Customer email coming in (docs/conversations.md).' },
      { name: 'Health', description: 'Probes for load balancers and orchestrators.' },
    ],
    paths: buildPaths(),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Opaque API token.' },
        inboundSecret: { type: 'http', scheme: 'bearer', description: 'INBOUND_HTTP_SECRET (POST /api/v1/inbound/mime only).' },
      },
      schemas: Object.fromEntries(Object.entries(SCHEMAS).map(([name, [s, io]]) => [name, toJsonSchema(s, io)])),
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([code, r]) => [`E${code}`, { ...r, content: json('Error') }]),
      ),
    },
  };
  return cached;
}

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
import { inboundAcceptedSchema, inboundMailPageSchema, inboundMailSchema } from '../inbound/inbound.schema.js';
import { auditEventPageDocSchema, ERROR_RESPONSES, errorSchema, ticketHistoryDocSchema } from './openapi.schemas.js';
import { conversationPaths } from './openapi.conversation.js';
import { SLA_SCHEMAS, slaPaths } from './openapi.sla.js';
import { TAGS_SCHEMAS, tagsPaths } from './openapi.tags.js';
import { VIEWS_SCHEMAS, viewsPaths } from './openapi.views.js';
import { WEBHOOK_SCHEMAS, webhookPaths } from './openapi.webhooks.js';
import { PRIVACY_SCHEMAS, privacyPaths } from './openapi.privacy.js';
import {
  errors,
  idParameter,
  json,
  queryParameters,
  ref,
  STAFF,
  staff,
  toJsonSchema,
  type JsonSchema,
  type Operation,
} from './openapi.helpers.js';

export type { JsonSchema };

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
  ...SLA_SCHEMAS,
  ...TAGS_SCHEMAS,
  ...VIEWS_SCHEMAS,
  ...WEBHOOK_SCHEMAS,
  ...PRIVACY_SCHEMAS,
};

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
    '/api/v1/auth/me': {
      get: {
        tags: ['Auth'],
        summary: 'Who the token belongs to',
        description:
          'The signed-in user of any role: the embeddable form asks this to prefill name and email when the site passes a token.',
        security: [{ bearerAuth: [] }],
        responses: {
          '200': {
            description: 'The user.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['id', 'name', 'email', 'role'],
                  properties: {
                    id: { type: 'string', format: 'uuid' },
                    name: { type: 'string' },
                    email: { type: 'string', format: 'email' },
                    role: { type: 'string', enum: ['user', 'moderator', 'admin'] },
                  },
                },
              },
            },
          },
          ...errors('401', '503'),
        },
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
        description: `Totals by status and category, open and unassigned counts, recent volume, time to resolution and to first response (median / p90 over 7 and 30 days; exact for up to 2,000 in a window, else from per-day log buckets within 4.4 %, see \`percentile_methods\`), the last 30 days per category, priority and assignee, oldest pending ticket, open tickets per assignee. Read from per-day aggregates: the cost does not grow with the number of tickets. ${STAFF}`,
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
    ...conversationPaths(),
    ...slaPaths(),
    ...tagsPaths(),
    ...viewsPaths(),
    ...webhookPaths(),
    ...privacyPaths(),
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
      { name: 'SLA', description: 'Business calendar, SLA targets, digest preference (docs/sla.md).' },
      { name: 'Views', description: 'Saved views of the ticket list (docs/admin-panel.md).' },
      { name: 'Tags', description: 'Tags on tickets (docs/tags-and-canned.md).' },
      { name: 'Canned replies', description: 'Reply templates with placeholders (docs/tags-and-canned.md).' },
      { name: 'Inbound mail', description: 'Customer email coming in (docs/conversations.md).' },
      { name: 'Webhooks', description: 'Signed event deliveries to your own endpoints (docs/webhooks.md).' },
      { name: 'Privacy', description: "Access export and erasure of a person's data (docs/privacy.md)." },
      { name: 'Health', description: 'Probes for load balancers and orchestrators.' },
    ],
    paths: buildPaths(),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Opaque API token.' },
        inboundSecret: {
          type: 'http',
          scheme: 'bearer',
          description: 'INBOUND_HTTP_SECRET (POST /api/v1/inbound/mime only).',
        },
      },
      schemas: Object.fromEntries(Object.entries(SCHEMAS).map(([name, [s, io]]) => [name, toJsonSchema(s, io)])),
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([code, r]) => [`E${code}`, { ...r, content: json('Error') }]),
      ),
    },
  };
  return cached;
}

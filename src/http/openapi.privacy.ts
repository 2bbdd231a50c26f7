// OpenAPI paths of the customer's data rights (issue 15 §2-3, docs/privacy.md), from the schemas
// the routes parse with and answer in.
import type { z } from 'zod';
import { erasureInputSchema, erasureListSchema, erasureResponseSchema } from '../privacy/schema.js';
import { errors, idParameter, json, staff, type Operation } from './openapi.helpers.js';

export const PRIVACY_SCHEMAS: Record<string, [z.ZodType, 'input' | 'output']> = {
  ErasureRequestInput: [erasureInputSchema, 'input'],
  ErasureResponse: [erasureResponseSchema, 'output'],
  ErasureList: [erasureListSchema, 'output'],
};

const op = (summary: string, description: string, rest: Operation): Operation => ({
  tags: ['Privacy'],
  summary,
  description: `${description} Admins only.`,
  ...staff,
  ...rest,
});
const emailParameter = {
  name: 'email',
  in: 'query',
  required: true,
  description: 'The person (compared case-insensitively).',
  schema: { type: 'string', format: 'email', maxLength: 254 },
};
const page = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'integer', minimum: 0 },
});

export function privacyPaths(): Record<string, Record<string, Operation>> {
  return {
    '/api/v1/privacy/export': {
      get: op(
        "Export a person's data",
        'One ZIP, streamed: tickets.json, messages.json, attachments.json + attachments/<id>/<name>, ratings.json, email_deliveries.json, audit_events.json, inbound_mails.json + inbound_mails/<id>.eml, exports_of_this_data.json, README.txt. Recorded in privacy_exports (who, whom, when).',
        {
          parameters: [emailParameter],
          responses: {
            '200': {
              description: 'The ZIP (Content-Disposition: attachment).',
              content: { 'application/zip': { schema: { type: 'string', contentMediaType: 'application/zip' } } },
            },
            ...errors('400', '401', '403', '503'),
          },
        },
      ),
    },
    '/api/v1/privacy/erasures': {
      get: op('List erasures', 'Newest first, with their progress.', {
        parameters: [page('limit', '1-200, default 50.'), page('offset', 'Default 0.')],
        responses: {
          '200': { description: 'The erasures.', content: json('ErasureList') },
          ...errors('401', '403', '503'),
        },
      }),
      post: op(
        'Erase a person',
        'Queues the erasure of everything held about the address (a worker job, in batches; progress on GET …/erasures/{id}). 200 with the open erasure when one for that address is already running.',
        {
          requestBody: { required: true, content: json('ErasureRequestInput') },
          responses: {
            '202': { description: 'Queued.', content: json('ErasureResponse') },
            '200': { description: 'Already running for this address.', content: json('ErasureResponse') },
            ...errors('400', '401', '403', '415', '503'),
          },
        },
      ),
    },
    '/api/v1/privacy/erasures/{id}': {
      get: op('An erasure', "One erasure's progress: status, phase, tickets done of total, rows per table.", {
        parameters: [{ ...idParameter, description: 'Erasure id (UUID).' }],
        responses: {
          '200': { description: 'The erasure.', content: json('ErasureResponse') },
          ...errors('400', '401', '403', '404', '503'),
        },
      }),
    },
  };
}

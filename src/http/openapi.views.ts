// OpenAPI paths of saved views (issue 14 §1), from the schemas the routes parse with.
import { z } from 'zod';
import { viewCreateSchema, viewPatchSchema } from '../views/views.schema.js';
import { errors, json, STAFF, staff, type Operation } from './openapi.helpers.js';

const viewJsonSchema = z.object({
  id: z
    .string()
    .meta({ description: 'A built-in id (my-open, unassigned, breaching-soon, waiting-on-customer) or a UUID.' }),
  name: z.string(),
  query: z.record(z.string(), z.union([z.string(), z.array(z.string())])).meta({
    description: 'The list query parameters of GET /api/v1/contact/ the view stands for.',
  }),
  builtin: z.boolean(),
  shared: z.boolean(),
  owner: z.object({ id: z.string(), name: z.string() }).nullable(),
  editable: z.boolean(),
  count: z
    .number()
    .int()
    .optional()
    .meta({ description: 'Tickets in the view now, at most 10,000 (list answer only).' }),
  count_capped: z
    .boolean()
    .optional()
    .meta({ description: 'True when the view holds more than `count` tickets ("10000+"), as the list counts.' }),
});

export const VIEWS_SCHEMAS: Record<string, [z.ZodType, 'input' | 'output']> = {
  View: [viewJsonSchema, 'output'],
  ViewList: [z.object({ items: z.array(viewJsonSchema) }), 'output'],
  ViewCreate: [viewCreateSchema, 'input'],
  ViewPatch: [viewPatchSchema, 'input'],
};

const viewId = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'A saved view id (UUID); built-in views cannot be changed (403).',
  schema: { type: 'string' },
};
const ok = (description: string, name: string) => ({ description, content: json(name) });
const op = (summary: string, description: string, rest: Operation): Operation => ({
  tags: ['Views'],
  summary,
  description: `${description} ${STAFF}`,
  ...staff,
  ...rest,
});

export function viewsPaths(): Record<string, Record<string, Operation>> {
  return {
    '/api/v1/views': {
      get: op(
        'List views',
        'The built-in views, then your own, then those colleagues shared, each with its ticket count (one query). Use one as `?view=<id>` on the ticket list or the CSV export.',
        { responses: { '200': ok('The views.', 'ViewList'), ...errors('401', '403', '503') } },
      ),
      post: op('Save a view', 'A named list query, checked by the list’s own parser; `shared` shows it to the team.', {
        requestBody: { required: true, content: json('ViewCreate') },
        responses: { '201': ok('The view.', 'View'), ...errors('400', '401', '403', '415', '503') },
      }),
    },
    '/api/v1/views/{id}': {
      patch: op('Change a view', 'Rename, re-share or change the query (owner or admin).', {
        parameters: [viewId],
        requestBody: { required: true, content: json('ViewPatch') },
        responses: { '200': ok('The view.', 'View'), ...errors('400', '401', '403', '404', '415', '503') },
      }),
      delete: op('Delete a view', 'Owner or admin.', {
        parameters: [viewId],
        responses: { '204': { description: 'Deleted.' }, ...errors('401', '403', '404', '503') },
      }),
    },
  };
}

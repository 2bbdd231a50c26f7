// OpenAPI paths of tags and canned replies (issue 14 §2, §3), from the schemas the routes parse with.
import { z } from 'zod';
import {
  cannedCreateSchema,
  cannedListQuerySchema,
  cannedReplyJsonSchema,
  cannedUpdateSchema,
  renderedReplyJsonSchema,
  renderQuerySchema,
} from '../canned/schema.js';
import {
  tagCreateSchema,
  tagJsonSchema,
  tagListQuerySchema,
  tagMergeSchema,
  tagRenameSchema,
  tagUsageJsonSchema,
  ticketTagsBodySchema,
  ticketTagsJsonSchema,
} from '../tags/schema.js';
import { errors, idParameter, json, queryParameters, STAFF, staff, type Operation } from './openapi.helpers.js';

export const TAGS_SCHEMAS: Record<string, [z.ZodType, 'input' | 'output']> = {
  Tag: [tagJsonSchema, 'output'],
  TagList: [z.object({ tags: z.array(tagUsageJsonSchema) }), 'output'],
  TagName: [tagCreateSchema, 'input'],
  TagRename: [tagRenameSchema, 'input'],
  TagMerge: [tagMergeSchema, 'input'],
  TagMerged: [tagJsonSchema.extend({ moved: z.number().int() }), 'output'],
  TicketTagsBody: [ticketTagsBodySchema, 'input'],
  TicketTags: [ticketTagsJsonSchema, 'output'],
  CannedReply: [cannedReplyJsonSchema, 'output'],
  CannedReplyList: [z.object({ items: z.array(cannedReplyJsonSchema), total: z.number().int() }), 'output'],
  CannedReplyCreate: [cannedCreateSchema, 'input'],
  CannedReplyUpdate: [cannedUpdateSchema, 'input'],
  RenderedReply: [renderedReplyJsonSchema, 'output'],
};

const ADMIN = 'Admins only.';
const tagId = { ...idParameter, description: 'Tag id (UUID).' };
const cannedId = { ...idParameter, description: 'Canned reply id (UUID).' };
/** The list parameters, with this feature's own words for `q` (PARAMETER_DOCS describes the ticket search). */
const described = (params: Array<Record<string, unknown>>, q: string) =>
  params.map((p) => (p.name === 'q' ? { ...p, description: q } : p));
const body = (name: string) => ({ required: true, content: json(name) });
const ok = (description: string, name: string) => ({ description, content: json(name) });

function op(tag: string, summary: string, description: string, rest: Operation): Operation {
  return { tags: [tag], summary, description, ...staff, ...rest };
}

export function tagsPaths(): Record<string, Record<string, Operation>> {
  const ticketTags = (summary: string, description: string, extra: Operation = {}) =>
    op('Tags', summary, `${description} ${STAFF}`, {
      parameters: [idParameter],
      responses: {
        '200': ok("The ticket's tags afterwards.", 'TicketTags'),
        ...errors('400', '401', '403', '404', '415', '503'),
      },
      ...extra,
    });
  return {
    '/api/v1/tags': {
      get: op(
        'Tags',
        'List tags',
        `Tags with how many tickets carry each; \`q\` matches anywhere in the name (prefixes first), for autocomplete. ${STAFF}`,
        {
          parameters: described(queryParameters(tagListQuerySchema), 'Part of the tag name (case-insensitive).'),
          responses: { '200': ok('Tags, most used first.', 'TagList'), ...errors('400', '401', '403', '503') },
        },
      ),
      post: op(
        'Tags',
        'Create a tag',
        `The tag with this name (case-insensitive), created when it does not exist. Tagging a ticket with a new name does the same. ${STAFF}`,
        {
          requestBody: body('TagName'),
          responses: { '201': ok('The tag.', 'Tag'), ...errors('400', '401', '403', '415', '503') },
        },
      ),
    },
    '/api/v1/tags/{id}': {
      get: op('Tags', 'Get a tag', STAFF, {
        parameters: [tagId],
        responses: { '200': ok('The tag.', 'Tag'), ...errors('400', '401', '403', '404', '503') },
      }),
      put: op(
        'Tags',
        'Rename a tag',
        `Every ticket shows the new name; the audit rows keep the name each change had. 409 \`tag_exists\` when another tag has the name (merge them instead). ${ADMIN}`,
        {
          parameters: [tagId],
          requestBody: body('TagRename'),
          responses: {
            '200': ok('The renamed tag.', 'Tag'),
            ...errors('400', '401', '403', '404', '409', '415', '503'),
          },
        },
      ),
      delete: op(
        'Tags',
        'Delete a tag',
        `Removes it from every ticket (each removal audited) and deletes it. ${ADMIN}`,
        {
          parameters: [tagId],
          responses: { '204': { description: 'Deleted.' }, ...errors('400', '401', '403', '404', '503') },
        },
      ),
    },
    '/api/v1/tags/{id}/merge': {
      post: op(
        'Tags',
        'Merge a tag into another',
        `Every ticket of this tag gets \`into\` instead (tickets with both keep one), then this tag is deleted; audited as removals and additions. ${ADMIN}`,
        {
          parameters: [tagId],
          requestBody: body('TagMerge'),
          responses: {
            '200': ok('The remaining tag and how many tickets gained it.', 'TagMerged'),
            ...errors('400', '401', '403', '404', '415', '503'),
          },
        },
      ),
    },
    '/api/v1/contact/{id}/tags': {
      get: ticketTags("A ticket's tags", 'By name.'),
      post: ticketTags('Add tags to a ticket', 'Names that do not exist become tags. Already present ones are kept.', {
        requestBody: body('TicketTagsBody'),
      }),
      put: ticketTags(
        "Replace a ticket's tags",
        'The ticket ends up with exactly these tags (an empty list removes all).',
        { requestBody: body('TicketTagsBody') },
      ),
    },
    '/api/v1/contact/{id}/tags/{tag}': {
      delete: op(
        'Tags',
        'Remove a tag from a ticket',
        `\`tag\` is the tag's id or name. 404 when the ticket does not carry it. ${STAFF}`,
        {
          parameters: [
            idParameter,
            {
              name: 'tag',
              in: 'path',
              required: true,
              description: 'Tag id (UUID) or name.',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': ok("The ticket's tags afterwards.", 'TicketTags'),
            ...errors('400', '401', '403', '404', '503'),
          },
        },
      ),
    },
    '/api/v1/canned-replies': {
      get: op(
        'Canned replies',
        'List canned replies',
        `The shared replies and the caller's own (never another moderator's personal ones); \`q\` searches the name. ${STAFF}`,
        {
          parameters: described(queryParameters(cannedListQuerySchema), 'Part of the reply name (case-insensitive).'),
          responses: {
            '200': ok('Names starting with `q` first, then the most used.', 'CannedReplyList'),
            ...errors('400', '401', '403', '503'),
          },
        },
      ),
      post: op(
        'Canned replies',
        'Create a canned reply',
        `\`body\` is a Liquid template (docs/tags-and-canned.md): a syntax error, an unknown filter or a file-loading tag (include, render, layout) or raw is a 400 under \`fields.body\`; placeholders that are not known variables are saved and listed in \`warnings\` (they render empty). \`scope: shared\` is for admins (403 otherwise); \`personal\` (default) belongs to the caller. 409 for a name taken in that scope. ${STAFF}`,
        {
          requestBody: body('CannedReplyCreate'),
          responses: {
            '201': ok('The canned reply, with warnings.', 'CannedReply'),
            ...errors('400', '401', '403', '409', '415', '503'),
          },
        },
      ),
    },
    '/api/v1/canned-replies/{id}': {
      get: op('Canned replies', 'Get a canned reply', `404 for another moderator's personal reply. ${STAFF}`, {
        parameters: [cannedId],
        responses: { '200': ok('The canned reply.', 'CannedReply'), ...errors('400', '401', '403', '404', '503') },
      }),
      patch: op(
        'Canned replies',
        'Change a canned reply',
        `Name and/or body, checked like on create. Shared replies: admins; personal ones: their owner. ${STAFF}`,
        {
          parameters: [cannedId],
          requestBody: body('CannedReplyUpdate'),
          responses: {
            '200': ok('The canned reply, with warnings.', 'CannedReply'),
            ...errors('400', '401', '403', '404', '409', '415', '503'),
          },
        },
      ),
      delete: op(
        'Canned replies',
        'Delete a canned reply',
        `Shared replies: admins; personal ones: their owner. ${STAFF}`,
        {
          parameters: [cannedId],
          responses: { '204': { description: 'Deleted.' }, ...errors('400', '401', '403', '404', '503') },
        },
      ),
    },
    '/api/v1/canned-replies/{id}/render': {
      post: op(
        'Canned replies',
        'Render a canned reply for a ticket',
        `The text with the ticket's placeholders filled in (unknown or empty ones render empty, or as their \`| default:\`), checked to contain no raw \`{{ }}\` / \`{% %}\`; 422 \`template_error\` when it cannot be rendered (render time or size over the limits). Counts one use: this is the call the reply box makes when the reply is inserted. ${STAFF}`,
        {
          parameters: [cannedId, ...queryParameters(renderQuerySchema).map((p) => ({ ...p, required: true }))],
          requestBody: { required: false, content: json('EmptyBody') },
          responses: {
            '200': ok('The rendered text and the new usage count.', 'RenderedReply'),
            '422': {
              description: 'The template cannot be rendered (`template_error`); nothing is counted.',
              content: json('Error'),
            },
            ...errors('400', '401', '403', '404', '415', '503'),
          },
        },
      ),
    },
  };
}

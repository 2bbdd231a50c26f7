// What a saved view is on the wire: a name, the list's own query parameters, shared or not.
// The query is checked by the one filter parser (ticket.filters.ts) before it is stored, so a
// view can never hold a filter the list would refuse.
import { z } from 'zod';
import { singleLine } from '../contact/contact.schema.js';
import { parseTicketExportQuery } from '../contact/ticket.filters.js';
import { AppError } from '../errors.js';
import { strictKeys } from '../shared/input.js';

/** A list query as the REST list takes it: `?status=a&status=b` → `{ status: ['a', 'b'] }`. */
export type ViewQuery = Record<string, string | string[]>;

const queryValue = z.union([z.string().max(200), z.array(z.string().max(200)).max(20)]);
/** Parameters a view may not hold: paging is the reader's, `view` would nest views. */
const NOT_IN_VIEW = ['page', 'page_size', 'view', 'bom'];

export const viewQuerySchema = z
  .record(z.string().max(40), queryValue, { error: 'must be an object of list query parameters' })
  .superRefine((q, ctx) => {
    for (const key of NOT_IN_VIEW) {
      if (key in q) ctx.addIssue({ code: 'custom', path: [key], message: 'is not part of a view' });
    }
  })
  .transform((q, ctx) => {
    try {
      parseTicketExportQuery(q);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      for (const [key, messages] of Object.entries(err.fields ?? {})) {
        ctx.addIssue({ code: 'custom', path: [key], message: messages.join('; ') });
      }
      return z.NEVER;
    }
    return q as ViewQuery;
  });

export const viewCreateSchema = z.strictObject(
  {
    name: singleLine(80),
    query: viewQuerySchema,
    shared: z.boolean({ error: 'must be true or false' }).default(false),
  },
  strictKeys(),
);
export type ViewCreateInput = z.infer<typeof viewCreateSchema>;

export const viewPatchSchema = z
  .strictObject(
    {
      name: singleLine(80).optional(),
      query: viewQuerySchema.optional(),
      shared: z.boolean({ error: 'must be true or false' }).optional(),
    },
    strictKeys(),
  )
  .refine((b) => Object.keys(b).length > 0, 'send at least one of: name, query, shared');
export type ViewPatchInput = z.infer<typeof viewPatchSchema>;

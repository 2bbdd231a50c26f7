// Small builders shared by the OpenAPI path files (openapi.ts, openapi.conversation.ts).
import { z } from 'zod';
import { PARAMETER_DOCS } from './openapi.schemas.js';

export type Operation = Record<string, unknown>;
export type JsonSchema = Record<string, unknown>;

export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** A query schema's fields as OpenAPI parameters (repeatable ones as exploded forms). */
export function queryParameters(schema: z.ZodObject): Array<Record<string, unknown>> {
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

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (name: string) => ({ 'application/json': { schema: ref(name) } });

/** References to the documented error answers (components.responses.E<code>). */
export function errors(...codes: string[]): Record<string, unknown> {
  return Object.fromEntries(codes.map((c) => [c, { $ref: `#/components/responses/E${c}` }]));
}

export const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Ticket id (UUID). A malformed id is a 400, an unknown one a 404.',
  schema: { type: 'string', format: 'uuid' },
};

export const STAFF = 'Moderator or admin.';
export const staff = { security: [{ bearerAuth: [] }] };

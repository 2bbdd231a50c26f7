// OpenAPI paths and schemas of the SLA settings (issue 14 §4, src/sla/sla.routes.ts).
import type { z } from 'zod';
import {
  calendarJsonSchema,
  calendarSchema,
  digestPreferenceSchema,
  policiesSchema,
  policyListJsonSchema,
} from '../sla/sla.schema.js';
import { errors, json, staff, STAFF, type Operation } from './openapi.helpers.js';

export const SLA_SCHEMAS: Record<string, [z.ZodType, 'input' | 'output']> = {
  SlaCalendarInput: [calendarSchema, 'input'],
  SlaCalendar: [calendarJsonSchema, 'output'],
  SlaPoliciesInput: [policiesSchema, 'input'],
  SlaPolicies: [policyListJsonSchema, 'output'],
  DigestPreference: [digestPreferenceSchema, 'input'],
};

const RECOMPUTE = 'A change recomputes the due times of every open ticket in the background (task sla_recompute_open).';

export function slaPaths(): Record<string, Record<string, Operation>> {
  const put = (summary: string, description: string, input: string, output: string): Operation => ({
    tags: ['SLA'],
    summary,
    description: `${description} Admin only.`,
    ...staff,
    requestBody: { required: true, content: json(input) },
    responses: {
      '200': { description: 'Stored.', content: json(output) },
      ...errors('400', '401', '403', '415', '503'),
    },
  });
  const get = (summary: string, description: string, output: string): Operation => ({
    tags: ['SLA'],
    summary,
    description: `${description} ${STAFF}`,
    ...staff,
    responses: { '200': { description: 'OK.', content: json(output) }, ...errors('401', '403', '503') },
  });
  return {
    '/api/v1/sla/calendar': {
      get: get(
        'Business calendar',
        'The time zone, weekly opening windows (ISO weekday 1 = Monday → [["09:00","17:00"]]) and holidays (date-holidays country / region, public holidays only, plus explicit dates) the SLA clocks count in.',
        'SlaCalendar',
      ),
      put: put('Replace the business calendar', RECOMPUTE, 'SlaCalendarInput', 'SlaCalendar'),
    },
    '/api/v1/sla/policies': {
      get: get(
        'SLA policies',
        'First-response and resolution targets in business minutes per priority; a row with a category wins over the priority row. A priority without a row has no SLA.',
        'SlaPolicies',
      ),
      put: put('Replace the SLA policies', `The whole list. ${RECOMPUTE}`, 'SlaPoliciesInput', 'SlaPolicies'),
    },
    '/api/v1/sla/digest': {
      get: get('My digest preference', 'Whether the caller opted out of the morning digest email.', 'DigestPreference'),
      put: {
        ...get(
          'Set my digest preference',
          'Opt out of (true) or back into (false) the morning digest email.',
          'DigestPreference',
        ),
        requestBody: { required: true, content: json('DigestPreference') },
      },
    },
  };
}

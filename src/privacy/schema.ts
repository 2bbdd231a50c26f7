// What the privacy feature reads in (an address to export or erase) and hands out (an erasure's
// progress). REST, the panel and the jobs all parse with these.
import { z } from 'zod';
import { strictKeys } from '../shared/input.js';

/** The person, by address. Compared case-insensitively everywhere (lower(email) = lower($1)). */
export const personEmail = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be an email address' }))
  .transform((e) => e.toLowerCase());

export const exportQuerySchema = z.object({ email: personEmail });

export const erasureInputSchema = z.strictObject({ email: personEmail }, strictKeys());

export const erasureIdSchema = z.uuid({ error: 'must be a UUID' });

/** graphile-worker payload: only the request id, never the person (job rows are not erased data). */
export const erasureJobPayload = z.object({ erasureId: z.uuid() });

export const ERASURE_TASK = 'privacy_erasure';
export const RETENTION_TASK = 'privacy_retention';
export const RAW_MAIL_TASK = 'privacy_raw_mail_purge';

export type ErasureKind = 'person' | 'retention';
export type ErasureStatus = 'pending' | 'running' | 'done' | 'failed';
export type ErasurePhase = 'collect' | 'tickets' | 'sweep' | 'done';

export interface ErasureRequestRow {
  id: string;
  kind: ErasureKind;
  status: ErasureStatus;
  phase: ErasurePhase;
  email: string | null;
  terms: string[];
  cutoff: Date | null;
  tickets_total: number;
  tickets_done: number;
  batches: number;
  rows_redacted: Record<string, number>;
  requested_by_id: string | null;
  source: string;
  request_id: string | null;
  last_error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** An erasure as REST and the panel show it. The address shows only while the erasure runs. */
export const erasureViewSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['person', 'retention']),
  status: z.enum(['pending', 'running', 'done', 'failed']),
  phase: z.enum(['collect', 'tickets', 'sweep', 'done']),
  email: z.string().nullable().describe('The person while the erasure runs; null once it is done'),
  tickets_total: z.number().int(),
  tickets_done: z.number().int(),
  batches: z.number().int(),
  rows_redacted: z.record(z.string(), z.number().int()).describe('Rows changed per table'),
  requested_by_id: z.uuid().nullable(),
  source: z.string(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type ErasureView = z.infer<typeof erasureViewSchema>;
export const erasureResponseSchema = z.object({ erasure: erasureViewSchema });
export const erasureListSchema = z.object({ erasures: z.array(erasureViewSchema), total: z.number().int() });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function erasureView(r: ErasureRequestRow): ErasureView {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    phase: r.phase,
    email: r.email,
    tickets_total: r.tickets_total,
    tickets_done: r.tickets_done,
    batches: r.batches,
    rows_redacted: r.rows_redacted,
    requested_by_id: r.requested_by_id,
    source: r.source,
    last_error: r.last_error,
    created_at: r.created_at.toISOString(),
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
  };
}

/**
 * The words erasure redacts from text that stays (staff replies, notes): each address, each name
 * and each name part of 3+ characters ("Ann" in "Hi Ann,"), longest first so that a full name is
 * replaced before its parts. Shorter parts would hit ordinary words; the SQL side skips them too.
 */
export function redactionTerms(emails: Iterable<string>, names: Iterable<string>): string[] {
  const terms = new Set<string>();
  for (const e of emails) if (e.trim()) terms.add(e.trim().toLowerCase());
  for (const n of names) {
    const name = n.trim();
    if (!name || name === '[erased]') continue;
    terms.add(name);
    for (const part of name.split(/[\s,]+/)) if (part.length >= 3) terms.add(part);
  }
  return [...terms].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

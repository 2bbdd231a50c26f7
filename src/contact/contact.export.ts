// CSV export of every ticket matching a filter (REST GET /contact/export.csv and the panel's
// Export CSV action). Rows come from a server-side cursor in batches and are written only as
// fast as the destination drains, so a million-row export holds one batch in memory, not the
// table. Every export is recorded in csv_exports: who, which filters, how many rows.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import QueryStream from 'pg-query-stream';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { inPgTransaction, type AuditSource } from '../db/tx.js';
import { buildTicketWhere, orderByClause } from './contact.queries.js';
import { requireStaff } from '../auth/access.js';
import { utcDay } from '../shared/text.js';
import { CSV_BOM, csvRow, type CsvValue } from './csv.js';
import { normalizeFilters, type TicketFilters } from './moderator.schema.js';

export interface ExportMeta {
  source: AuditSource;
  requestId?: string | null;
  /** Write a UTF-8 byte-order mark first (default true; see csv.ts for why). */
  bom?: boolean;
}

export interface ExportResult {
  exportId: string;
  rowCount: number;
}

type ExportRow = Record<string, unknown>;

/** Column order and header names of the file: part of the interface, change with care. */
export const EXPORT_COLUMNS: ReadonlyArray<readonly [header: string, value: (r: ExportRow) => CsvValue]> = [
  ['ticket_number', (r) => r.ticket_number as string],
  ['created_at', (r) => r.created_at as string],
  ['updated_at', (r) => r.updated_at as string],
  ['status', (r) => r.status as string],
  ['category', (r) => r.category as string],
  ['name', (r) => r.name as string],
  ['email', (r) => r.email as string],
  ['subject', (r) => r.subject as string],
  ['message', (r) => r.message as string],
  ['assigned_to_name', (r) => r.assigned_name as string | null],
  ['assigned_to_email', (r) => r.assigned_email as string | null],
  ['resolved_at', (r) => r.resolved_at as string | null],
  ['resolved_by_name', (r) => r.resolved_name as string | null],
  ['resolved_by_email', (r) => r.resolved_email as string | null],
  ['resolution_notes', (r) => r.resolution_notes as string],
  ['admin_notes', (r) => r.admin_notes as string],
  ['submitted_by_email', (r) => r.user_email as string | null],
  ['id', (r) => r.id as string],
];

/** Rows fetched from the cursor per round trip. */
const CURSOR_BATCH = 500;

// Timestamps leave PostgreSQL already as ISO 8601 UTC text (same format as Date#toISOString):
// parsing a million of them into Date objects only to print them again cost ~15 % of the export.
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** Rows are joined into chunks of about this size before each write (fewer, larger writes). */
const CHUNK_BYTES = 64 * 1024;

export function exportFileName(now: Date): string {
  return `contactdesk-tickets-${utcDay(now)}.csv`;
}

/** The destination closed (client went away) before the export finished. */
export class ExportAborted extends Error {
  constructor() {
    super('The export destination closed before the export finished');
  }
}

/** Writes a chunk; if the destination is full, waits for it to drain (or to go away). */
async function write(out: NodeJS.WritableStream | Writable, chunk: string, isClosed: () => boolean): Promise<void> {
  if (isClosed()) throw new ExportAborted();
  if (out.write(chunk)) return;
  const ac = new AbortController();
  try {
    await Promise.race([
      once(out, 'drain', { signal: ac.signal }),
      once(out, 'close', { signal: ac.signal }).then(() => {
        throw new ExportAborted();
      }),
    ]);
  } finally {
    ac.abort();
  }
}

/**
 * Streams every ticket matching `filters` (no pagination; `ordering` honoured, newest first by
 * default) to `out` as CSV and ends `out`. Moderators and admins only. Throws before writing
 * anything when the actor or the filters are not acceptable. csv_exports gets a row at the
 * start and its row_count / finished_at at the end; an export cut short (the client went away,
 * the database failed) keeps finished_at NULL and the number of rows that were written.
 */
export async function exportTicketsCsv(
  ctx: AppContext,
  actor: Actor | null,
  filters: TicketFilters,
  out: NodeJS.WritableStream | Writable,
  meta: ExportMeta,
): Promise<ExportResult> {
  requireStaff(actor);
  const f = normalizeFilters({ ...filters });
  const writeCtx = { actorId: actor.id, source: meta.source, requestId: meta.requestId };
  const exportId = await inPgTransaction(ctx.db, writeCtx, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO csv_exports (id, actor_id, actor_email, source, statuses, categories, assigned_to, search,
         created_after, created_before, include_archived, started_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4::"TicketStatus"[], $5::"TicketCategory"[], $6, $7, $8, $9, $10, $11)
       RETURNING id`,
      [
        actor.id,
        actor.email,
        meta.source,
        f.statuses ?? [],
        f.categories ?? [],
        f.assignedTo ?? null,
        f.q ?? null,
        f.createdAfter ?? null,
        f.createdBefore ?? null,
        f.includeArchived ?? false,
        ctx.clock.now(),
      ],
    );
    return rows[0]!.id;
  });

  let closed = false;
  const onClose = () => {
    closed = true;
  };
  out.once('close', onClose);
  let rowCount = 0;
  let complete = false;
  const client = await ctx.db.pool.connect();
  let stream: QueryStream | undefined;
  try {
    const where = buildTicketWhere(actor, f, [], 't');
    stream = client.query(
      new QueryStream(
        `SELECT t.id, t.ticket_number, ${iso('t.created_at')} AS created_at, ${iso('t.updated_at')} AS updated_at,
           t.status, t.category, t.name, t.email, t.subject,
           t.message, ${iso('t.resolved_at')} AS resolved_at, t.resolution_notes, t.admin_notes,
           au.name AS assigned_name, au.email::text AS assigned_email,
           ru.name AS resolved_name, ru.email::text AS resolved_email, su.email::text AS user_email
         FROM contact_submissions t
         LEFT JOIN users au ON au.id = t.assigned_to_id
         LEFT JOIN users ru ON ru.id = t.resolved_by_id
         LEFT JOIN users su ON su.id = t.user_id
         ${where.sql}
         ORDER BY ${orderByClause(f.ordering, 't')}`,
        where.params,
        { batchSize: CURSOR_BATCH, highWaterMark: CURSOR_BATCH },
      ),
    );
    const isClosed = () => closed;
    let chunk = ((meta.bom ?? true) ? CSV_BOM : '') + csvRow(EXPORT_COLUMNS.map(([header]) => header));
    let pending = 0;
    for await (const row of stream as AsyncIterable<ExportRow>) {
      chunk += csvRow(EXPORT_COLUMNS.map(([, value]) => value(row)));
      pending++;
      if (chunk.length >= CHUNK_BYTES) {
        await write(out, chunk, isClosed);
        rowCount += pending;
        chunk = '';
        pending = 0;
      }
    }
    await write(out, chunk, isClosed);
    rowCount += pending;
    out.end();
    await finished(out);
    complete = true;
  } finally {
    out.removeListener('close', onClose);
    // A cursor abandoned half-way leaves the connection mid-protocol: discard it, do not reuse it.
    if (!complete) stream?.destroy();
    client.release(!complete);
    await inPgTransaction(ctx.db, writeCtx, (c) =>
      c.query('UPDATE csv_exports SET row_count = $2, finished_at = $3 WHERE id = $1', [
        exportId,
        rowCount,
        complete ? ctx.clock.now() : null,
      ]),
    ).catch((err) => ctx.logger.warn({ err, exportId }, 'could not record the end of a CSV export'));
  }
  return { exportId, rowCount };
}

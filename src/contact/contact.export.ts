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
import { requireStaff } from '../auth/access.js';
import { utcDay } from '../shared/text.js';
import { CSV_BOM, csvRow } from './csv.js';
import { buildTicketWhere, orderByClause, type TicketFilters } from './ticket.filters.js';
import { EXPORT_COLUMNS, TICKET_JOINS, ticketSelect } from './ticket.shape.js';
import { expandView } from '../views/views.service.js';

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

/** Column order and header names of the file, derived from the field declarations. */
export { EXPORT_COLUMNS };

/** The filters of an export as (parameter, value) pairs, as they would be sent in the query. */
function filterEntries(f: TicketFilters): Array<[string, string]> {
  return Object.entries(f).flatMap(([param, v]): Array<[string, string]> => {
    if (v === undefined || v === null || param === 'ordering') return [];
    const values = Array.isArray(v) ? v : [v];
    return values.map((x) => [param, x instanceof Date ? x.toISOString() : String(x)]);
  });
}

/** Rows fetched from the cursor per round trip. */
const CURSOR_BATCH = 500;

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
  // A saved view's filters, recorded as the filters they are (the export row says what it held).
  const f = await expandView(ctx, actor, filters);
  const writeCtx = { actorId: actor.id, source: meta.source, requestId: meta.requestId };
  const exportId = await inPgTransaction(ctx.db, writeCtx, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO csv_exports (id, actor_id, actor_email, source, started_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4) RETURNING id`,
      [actor.id, actor.email, meta.source, ctx.clock.now()],
    );
    const id = rows[0]!.id;
    // One row per filter value, whatever filters the field declarations define.
    const filterRows = filterEntries(f);
    if (filterRows.length) {
      await client.query(
        `INSERT INTO csv_export_filters (export_id, param, value)
         SELECT $1, p, v FROM unnest($2::text[], $3::text[]) AS x(p, v) ON CONFLICT DO NOTHING`,
        [id, filterRows.map(([p]) => p), filterRows.map(([, v]) => v)],
      );
    }
    return id;
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
        `SELECT ${ticketSelect({ isoDates: true })} FROM contact_submissions t ${TICKET_JOINS}
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

// Access export (issue 15 §2): everything held about one address as ONE ZIP, streamed. Each JSON
// file comes from a server-side cursor and each file (attachments, raw mails) from its own stream,
// one entry at a time: the next entry starts only after the previous one went into the archive,
// and the archive writes only as fast as the destination drains, so memory stays flat however
// many tickets the person has. All reads share one REPEATABLE READ snapshot (a consistent copy).
// Every export is recorded in privacy_exports (who exported whom, when, how much).
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import type pg from 'pg';
import QueryStream from 'pg-query-stream';
import { requireAdmin } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import { PgAttachmentStorage } from '../attachments/storage.js';
import type { AppContext } from '../context.js';
import { inPgTransaction } from '../db/tx.js';
import { parseInput } from '../shared/input.js';
import { utcDay } from '../shared/text.js';
import { exportQuerySchema } from './schema.js';
import type { PrivacyMeta } from './service.js';

export interface ExportResult {
  exportId: string;
  tickets: number;
  files: number;
  bytes: number;
}

/** The destination closed (the client went away) before the export finished. */
export class ExportAborted extends Error {
  constructor() {
    super('The export destination closed before the export finished');
  }
}

export const exportFileName = (now: Date) => `contactdesk-personal-data-${utcDay(now)}.zip`;

/** The person's tickets, by address ($1, lower case). */
const THEIR_TICKETS = 'SELECT id FROM contact_submissions WHERE lower(email) = $1';

/** The JSON files: name → query over $1 (the address). */
const JSON_FILES: Array<[string, string]> = [
  ['tickets.json', `SELECT t.* FROM contact_submissions t WHERE lower(t.email) = $1 ORDER BY t.created_at, t.id`],
  [
    'messages.json',
    `SELECT m.* FROM ticket_messages m WHERE m.ticket_id IN (${THEIR_TICKETS}) ORDER BY m.ticket_id, m.created_at, m.id`,
  ],
  [
    'attachments.json',
    `SELECT a.id, a.ticket_id, a.ticket_message_id, a.file_name, a.declared_type, a.sniffed_type, a.size, a.sha256,
       a.source, a.created_at, 'attachments/' || a.id || '/' || a.file_name AS path_in_zip
     FROM attachments a WHERE a.ticket_id IN (${THEIR_TICKETS}) ORDER BY a.created_at, a.id`,
  ],
  ['ratings.json', `SELECT r.* FROM ticket_ratings r WHERE r.ticket_id IN (${THEIR_TICKETS}) ORDER BY r.created_at`],
  [
    'email_deliveries.json',
    `SELECT d.* FROM email_deliveries d WHERE d.ticket_id IN (${THEIR_TICKETS}) OR lower(d.recipient) = $1
     ORDER BY d.created_at, d.id`,
  ],
  [
    'audit_events.json',
    `SELECT 'ticket' AS entity, e.event_id::text AS event_id, e.event_at, e.operation, e.changed_fields, e.actor_id,
       e.source, to_jsonb(e) - 'event_id' AS snapshot
     FROM contact_submission_events e WHERE e.ticket_id IN (${THEIR_TICKETS}) OR lower(e.email) = $1
     UNION ALL
     SELECT 'attachment', a.event_id::text, a.event_at, a.operation, '{}', a.actor_id, a.source, to_jsonb(a) - 'event_id'
     FROM attachment_events a WHERE a.ticket_id IN (${THEIR_TICKETS})
     ORDER BY event_at, event_id`,
  ],
  [
    'inbound_mails.json',
    `SELECT i.id, i.channel, i.size, i.sha256, i.message_id, i.envelope_from, i.envelope_to, i.status, i.outcome,
       i.ticket_id, i.ticket_message_id, i.received_at, i.processed_at, i.raw_purged_at,
       CASE WHEN octet_length(i.raw) > 0 THEN 'inbound_mails/' || i.id || '.eml' END AS path_in_zip
     FROM inbound_mails i WHERE i.ticket_id IN (${THEIR_TICKETS}) OR lower(i.envelope_from) = $1
     ORDER BY i.received_at, i.id`,
  ],
  [
    'exports_of_this_data.json',
    `SELECT x.id, x.actor_id, x.actor_email, x.source, x.started_at, x.finished_at FROM privacy_exports x
     WHERE lower(x.subject_email) = $1 ORDER BY x.started_at`,
  ],
];

const README = `This archive holds every record ContactDesk keeps about one email address:
tickets.json            the tickets submitted from it (with IP address and browser, when recorded)
messages.json           every message of those tickets' conversations (replies, notes, the customer's)
attachments.json        the files of those tickets; the files themselves are under attachments/<id>/
ratings.json            satisfaction ratings given on those tickets
email_deliveries.json   emails sent about those tickets or to the address
audit_events.json       the change history of those tickets (who changed what, when)
inbound_mails.json      mails received from the address or on its tickets; raw mails under inbound_mails/
exports_of_this_data.json  earlier exports of this data (who, when)
`;

/** A cursor over `sql` as the text of one JSON array, a row per line. */
function jsonArray(client: pg.ClientBase, sql: string, params: unknown[]): Readable {
  const rows = client.query(new QueryStream(sql, params, { batchSize: 200, highWaterMark: 200 }));
  return Readable.from(
    (async function* () {
      let first = true;
      yield '[';
      for await (const row of rows as AsyncIterable<unknown>) {
        yield `${first ? '\n' : ',\n'}${JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;
        first = false;
      }
      yield '\n]\n';
    })(),
  );
}

/** Names inside the ZIP: no path separators or control characters from a user-chosen file name. */
const safeName = (name: string) => name.replace(/[/\\\p{Cc}]/gu, '_').replace(/^\.+/, '_') || 'file';

/**
 * Streams the ZIP of everything held about `query.email` to `out` and ends it. Admins only; the
 * actor and the address are checked before the first byte.
 */
export async function exportPersonData(
  ctx: AppContext,
  actor: Actor | null,
  query: unknown,
  out: Writable,
  meta: PrivacyMeta,
): Promise<ExportResult> {
  requireAdmin(actor);
  const { email } = parseInput(exportQuerySchema, query);
  const writeCtx = { actorId: actor.id, ...meta };
  const exportId = await inPgTransaction(ctx.db, writeCtx, async (c) => {
    const { rows } = await c.query<{ id: string }>(
      `INSERT INTO privacy_exports (actor_id, actor_email, subject_email, source, request_id, started_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [actor.id, actor.email, email, meta.source, meta.requestId ?? null, ctx.clock.now()],
    );
    return rows[0]!.id;
  });

  const storage = new PgAttachmentStorage(ctx.db.pool);
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const result: ExportResult = { exportId, tickets: 0, files: 0, bytes: 0 };
  let failure: unknown;
  archive.on('error', (err) => (failure ??= err));
  archive.on('warning', (err) => (failure ??= err));
  archive.pipe(out);
  // The client went away: stop at the next entry instead of waiting for a drain that never comes.
  let done = false;
  // 'finish' (everything handed to the client) comes before 'close'.
  out.once('finish', () => (done = true));
  const gone = new Promise<never>((_resolve, reject) =>
    out.once('close', () => {
      if (!done) reject(new ExportAborted());
    }),
  );
  gone.catch(() => {});
  /** Adds one entry and waits until the archive has taken all of it. */
  const add = async (source: Readable | string | Buffer, name: string) => {
    if (failure) throw failure;
    const taken = once(archive, 'entry');
    archive.append(source, { name, date: ctx.clock.now() });
    await Promise.race([taken, gone]);
  };

  const client = await ctx.db.pool.connect();
  let clean = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const counted = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${THEIR_TICKETS}) x`, [email]);
    result.tickets = counted.rows[0]!.n;
    await add(README, 'README.txt');
    for (const [name, sql] of JSON_FILES) await add(jsonArray(client, sql, [email]), name);
    // The files themselves, one at a time from storage (its own connection, chunk by chunk).
    const files = client.query(
      new QueryStream(
        `SELECT id, file_name, sha256, size FROM attachments WHERE ticket_id IN (${THEIR_TICKETS}) ORDER BY created_at, id`,
        [email],
        { batchSize: 100, highWaterMark: 100 },
      ),
    );
    type FileRow = { id: string; file_name: string; sha256: string; size: string };
    for await (const f of files as AsyncIterable<FileRow>) {
      await add(storage.get(f.sha256), `attachments/${f.id}/${safeName(f.file_name)}`);
      result.files++;
      result.bytes += Number(f.size);
    }
    // Raw mails, one row (one mail) per fetch.
    const mails = client.query(
      new QueryStream(
        `SELECT id, raw FROM inbound_mails WHERE (ticket_id IN (${THEIR_TICKETS}) OR lower(envelope_from) = $1)
           AND octet_length(raw) > 0 ORDER BY received_at, id`,
        [email],
        { batchSize: 1, highWaterMark: 1 },
      ),
    );
    for await (const m of mails as AsyncIterable<{ id: string; raw: Buffer }>) {
      await add(m.raw, `inbound_mails/${m.id}.eml`);
      result.files++;
      result.bytes += m.raw.length;
    }
    await client.query('COMMIT');
    clean = true;
    await Promise.race([archive.finalize(), gone]);
    if (failure) throw failure;
    await Promise.race([finished(out), gone]);
  } catch (err) {
    failure ??= err;
    archive.abort();
    throw err;
  } finally {
    client.release(!clean);
    await ctx.db.pool
      .query('UPDATE privacy_exports SET tickets = $2, files = $3, bytes = $4, finished_at = $5 WHERE id = $1', [
        exportId,
        result.tickets,
        result.files,
        result.bytes,
        done ? ctx.clock.now() : null,
      ])
      .catch((err: unknown) => ctx.logger.warn({ err, exportId }, 'could not record the end of a privacy export'));
  }
  return result;
}

// SQL of the attachments metadata (the bytes are storage.ts's). Plain pg: the thread read and
// the upload commit are hot paths.
import type pg from 'pg';

export interface AttachmentRef {
  id: string;
  ticketId: string;
  /** null: the ticket's original message. */
  ticketMessageId: string | null;
  fileName: string;
  /** The sniffed (stored) type: what the file is served as. */
  contentType: string;
  size: number;
  createdAt: Date;
}

export interface NewAttachment {
  ticketId: string;
  ticketMessageId: string | null;
  fileName: string;
  declaredType: string;
  contentType: string;
  size: number;
  sha256: string;
  source: string;
}

const COLUMNS = `id, ticket_id, ticket_message_id, file_name, sniffed_type, size, created_at`;

const toRef = (r: Record<string, unknown>): AttachmentRef => ({
  id: r.id as string,
  ticketId: r.ticket_id as string,
  ticketMessageId: (r.ticket_message_id as string | null) ?? null,
  fileName: r.file_name as string,
  contentType: r.sniffed_type as string,
  size: Number(r.size),
  createdAt: r.created_at as Date,
});

/** One INSERT for all files of a message, in upload order. */
export async function insertAttachments(client: pg.ClientBase, rows: NewAttachment[]): Promise<AttachmentRef[]> {
  if (!rows.length) return [];
  const { rows: out } = await client.query(
    `INSERT INTO attachments (ticket_id, ticket_message_id, file_name, declared_type, sniffed_type, size, sha256, source, created_at)
     SELECT t.ticket_id, t.ticket_message_id, t.file_name, t.declared_type, t.sniffed_type, t.size, t.sha256, t.source,
            -- created_at has millisecond precision: a millisecond apart keeps upload order in every listing.
            now() + ((t.ord - 1) * interval '1 millisecond')
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[])
       WITH ORDINALITY AS t(ticket_id, ticket_message_id, file_name, declared_type, sniffed_type, size, sha256, source, ord)
     ORDER BY t.ord
     RETURNING ${COLUMNS}`,
    [
      rows.map((r) => r.ticketId),
      rows.map((r) => r.ticketMessageId),
      rows.map((r) => r.fileName),
      rows.map((r) => r.declaredType),
      rows.map((r) => r.contentType),
      rows.map((r) => r.size),
      rows.map((r) => r.sha256),
      rows.map((r) => r.source),
    ],
  );
  return out.map(toRef).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** Every attachment of a ticket, oldest first, grouped by message (the ticket id keys the original). */
export async function listTicketAttachments(
  db: pg.Pool | pg.ClientBase,
  ticketId: string,
): Promise<Map<string, AttachmentRef[]>> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM attachments WHERE ticket_id = $1 ORDER BY created_at, id`, [
    ticketId,
  ]);
  const byMessage = new Map<string, AttachmentRef[]>();
  for (const r of rows.map(toRef)) {
    const key = r.ticketMessageId ?? r.ticketId;
    const list = byMessage.get(key);
    if (list) list.push(r);
    else byMessage.set(key, [r]);
  }
  return byMessage;
}

/** A file of a message that was not stored (an inbound mail over the limits): listed, not kept. */
export interface RefusedFileRef {
  fileName: string;
  size: number;
  reason: string;
  detail: string;
}

export interface NewRefusal extends RefusedFileRef {
  ticketId: string;
  ticketMessageId: string | null;
  declaredType: string;
  source: string;
}

export async function insertRefusals(client: pg.ClientBase, rows: NewRefusal[]): Promise<void> {
  if (!rows.length) return;
  await client.query(
    `INSERT INTO attachment_refusals (ticket_id, ticket_message_id, file_name, declared_type, size, reason, detail, source, created_at)
     SELECT t.ticket_id, t.ticket_message_id, t.file_name, t.declared_type, t.size, t.reason, t.detail, t.source,
            now() + ((t.ord - 1) * interval '1 millisecond')
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[])
       WITH ORDINALITY AS t(ticket_id, ticket_message_id, file_name, declared_type, size, reason, detail, source, ord)`,
    [
      rows.map((r) => r.ticketId),
      rows.map((r) => r.ticketMessageId),
      rows.map((r) => r.fileName),
      rows.map((r) => r.declaredType.slice(0, 255)),
      rows.map((r) => r.size),
      rows.map((r) => r.reason),
      rows.map((r) => r.detail.slice(0, 500)),
      rows.map((r) => r.source),
    ],
  );
}

/** A ticket's stored and refused files per message, in one round trip (the thread read). */
export async function listTicketFiles(
  db: pg.Pool | pg.ClientBase,
  ticketId: string,
): Promise<{ attachments: Map<string, AttachmentRef[]>; refused: Map<string, RefusedFileRef[]> }> {
  const { rows } = await db.query(
    `SELECT false AS refused, ${COLUMNS}, NULL AS reason, NULL AS detail FROM attachments WHERE ticket_id = $1
     UNION ALL
     SELECT true, id, ticket_id, ticket_message_id, file_name, declared_type, size, created_at, reason, detail
     FROM attachment_refusals WHERE ticket_id = $1
     ORDER BY created_at, id`,
    [ticketId],
  );
  const attachments = new Map<string, AttachmentRef[]>();
  const refused = new Map<string, RefusedFileRef[]>();
  const add = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const r of rows) {
    const key = (r.ticket_message_id as string | null) ?? ticketId;
    if (r.refused) {
      add(refused, key, { fileName: r.file_name, size: Number(r.size), reason: r.reason, detail: r.detail });
    } else add(attachments, key, toRef(r));
  }
  return { attachments, refused };
}

export async function findAttachment(
  db: pg.Pool | pg.ClientBase,
  id: string,
): Promise<(AttachmentRef & { sha256: string }) | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS}, sha256 FROM attachments WHERE id = $1`, [id]);
  return rows[0] ? { ...toRef(rows[0]), sha256: rows[0].sha256 as string } : null;
}

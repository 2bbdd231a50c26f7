// What erasing a set of tickets does, table by table. Each table that can hold the person is ONE
// entry in a list of redaction steps: a new table with personal data is one more entry here (and
// one more table the pg_dump test searches). Steps run inside the batch's transaction (service.ts
// runs them, a batch of tickets at a time) and return how many rows they changed.
//
// Tombstones come from the database (privacy_tombstone(), privacy_tombstone_email()); text that
// stays (staff replies, notes, errors) has the person's terms replaced (privacy_redact_text).
// Tickets stay as rows with their status, category, priority, dates and assignee: counts and
// stats do not move.
import type pg from 'pg';

export interface BatchScope {
  erasureId: string;
  /** Tickets of this batch that may be erased (locked by the caller). */
  ticketIds: string[];
  /** Addresses to redact (lower case). */
  emails: string[];
  /** Addresses, names and name parts, longest first (redactionTerms). */
  terms: string[];
}

export interface RedactionStep {
  table: string;
  run(client: pg.ClientBase, scope: BatchScope): Promise<number>;
}

const count = async (client: pg.ClientBase, sql: string, params: unknown[]) =>
  (await client.query(sql, params)).rowCount ?? 0;
const scalar = async (client: pg.ClientBase, sql: string, params: unknown[]) =>
  Number((await client.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0);

/** Tables created by other features' migrations that may not exist in every database yet. */
const optionalTables = new Map<string, boolean>();
async function tableExists(client: pg.ClientBase, table: string): Promise<boolean> {
  if (!optionalTables.has(table)) {
    const { rows } = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [table]);
    // Only a table that exists is remembered: one that appears after a migration is found next time.
    if (!rows[0]?.ok) return false;
    optionalTables.set(table, true);
  }
  return true;
}

/** Per batch of tickets, in this order (files and thread before the ticket row, audit after it). */
export const TICKET_STEPS: RedactionStep[] = [
  {
    // The customer's files (the submission's and their messages'); staff files stay. The delete
    // trigger frees unshared blobs and writes attachment_events, which audit_redact then cleans.
    table: 'attachments',
    run: (c, s) =>
      count(
        c,
        `DELETE FROM attachments a WHERE a.ticket_id = ANY ($1::uuid[])
           AND (a.ticket_message_id IS NULL
                OR EXISTS (SELECT 1 FROM ticket_messages m WHERE m.id = a.ticket_message_id AND m.kind = 'customer'))`,
        [s.ticketIds],
      ),
  },
  {
    table: 'attachment_refusals',
    run: (c, s) =>
      count(
        c,
        `UPDATE attachment_refusals SET file_name = privacy_tombstone()
         WHERE ticket_id = ANY ($1::uuid[]) AND file_name <> privacy_tombstone()`,
        [s.ticketIds],
      ),
  },
  {
    // Customer messages become tombstones; staff replies / notes keep their words minus the person.
    table: 'ticket_messages',
    run: (c, s) => scalar(c, 'SELECT erase_ticket_messages($1::uuid[], $2::text[]) AS n', [s.ticketIds, s.terms]),
  },
  {
    // The row stays (counts, stats, numbering); what identifies or was written by the person goes.
    // Its update fires the audit trigger (a new event, already without them) and the search refresh.
    table: 'contact_submissions',
    run: (c, s) =>
      count(
        c,
        `UPDATE contact_submissions SET name = privacy_tombstone(), email = privacy_tombstone_email(),
           subject = privacy_tombstone(), message = privacy_tombstone(), ip_address = NULL, user_agent = NULL,
           admin_notes = privacy_redact_text(admin_notes, $2::text[]),
           resolution_notes = privacy_redact_text(resolution_notes, $2::text[])
         WHERE id = ANY ($1::uuid[])
           AND (name, email, subject, message, ip_address, user_agent, admin_notes, resolution_notes)
             IS DISTINCT FROM (privacy_tombstone(), privacy_tombstone_email(), privacy_tombstone(), privacy_tombstone(),
               NULL::inet, NULL::varchar, privacy_redact_text(admin_notes, $2::text[]),
               privacy_redact_text(resolution_notes, $2::text[]))`,
        [s.ticketIds, s.terms],
      ),
  },
  {
    // The one audited path through the append-only guard (migration 20261203800000_privacy).
    table: 'audit_events',
    run: (c, s) =>
      scalar(c, 'SELECT audit_redact($1::uuid, $2::uuid[], $3::text[]) AS n', [s.erasureId, s.ticketIds, s.terms]),
  },
  {
    // Mails to the person: the row stays (what was sent, when, its status), the address goes. Each
    // tombstone is unique per delivery (the (ticket, kind, recipient) index); a mail still queued
    // is not sent any more (its job goes in the sweep).
    table: 'email_deliveries',
    run: (c, s) =>
      count(
        c,
        `UPDATE email_deliveries SET
           recipient = replace(privacy_tombstone_email(), '@', '+' || left(id::text, 8) || '@'),
           status = CASE WHEN status = 'queued' THEN 'failed'::"EmailStatus" ELSE status END,
           last_error = CASE WHEN status = 'queued' THEN 'recipient erased'
                             ELSE privacy_redact_text(last_error, $3::text[]) END,
           updated_at = now()
         WHERE ticket_id = ANY ($1::uuid[]) AND lower(recipient) = ANY ($2::text[])`,
        [s.ticketIds, s.emails, s.terms],
      ),
  },
  {
    // Raw mails: the bytes and the sender go; status, outcome and the parsed message's link stay.
    table: 'inbound_mails',
    run: (c, s) =>
      count(
        c,
        `UPDATE inbound_mails SET raw = ''::bytea, envelope_from = NULL,
           error = privacy_redact_text(error, $2::text[]), raw_purged_at = COALESCE(raw_purged_at, now())
         WHERE ticket_id = ANY ($1::uuid[]) AND (octet_length(raw) > 0 OR envelope_from IS NOT NULL)`,
        [s.ticketIds, s.terms],
      ),
  },
  {
    // The score stays (satisfaction figures); the customer's words go.
    table: 'ticket_ratings',
    run: (c, s) =>
      count(c, `UPDATE ticket_ratings SET comment = '' WHERE ticket_id = ANY ($1::uuid[]) AND comment <> ''`, [
        s.ticketIds,
      ]),
  },
  {
    table: 'customer_links',
    run: (c, s) => count(c, 'DELETE FROM customer_links WHERE ticket_id = ANY ($1::uuid[])', [s.ticketIds]),
  },
  {
    // The key's request_hash is a digest of the submitted body (name, address, message).
    table: 'idempotency_keys',
    run: (c, s) => count(c, 'DELETE FROM idempotency_keys WHERE ticket_id = ANY ($1::uuid[])', [s.ticketIds]),
  },
  {
    // Webhook payloads as sent (src/webhooks): the envelope stays, the ticket data goes.
    table: 'webhook_deliveries',
    run: async (c, s) =>
      (await tableExists(c, 'webhook_deliveries'))
        ? count(
            c,
            `UPDATE webhook_deliveries SET
               payload = jsonb_build_object('type', payload->'type', 'timestamp', payload->'timestamp',
                                            'data', jsonb_build_object('erased', true)),
               response_body = NULL, last_error = privacy_redact_text(last_error, $2::text[])
             WHERE ticket_id = ANY ($1::uuid[]) AND payload->'data' IS DISTINCT FROM '{"erased": true}'::jsonb`,
            [s.ticketIds, s.terms],
          )
        : 0,
  },
];

export interface SweepScope {
  erasureId: string;
  email: string;
  terms: string[];
}

/** LIKE pattern for "contains this text" (its % and _ taken literally). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * Once a person's tickets are done: the places that hold their address outside any ticket of
 * theirs (keys, job payloads, sessions, mails not matched to a ticket, export records).
 */
export const SWEEP_STEPS: Array<{ table: string; run(client: pg.ClientBase, scope: SweepScope): Promise<number> }> = [
  {
    // "Find my tickets" answers and anything else sent to them about a ticket that was not theirs.
    table: 'email_deliveries',
    run: (c, s) =>
      count(
        c,
        `UPDATE email_deliveries SET
           recipient = replace(privacy_tombstone_email(), '@', '+' || left(id::text, 8) || '@'),
           status = CASE WHEN status = 'queued' THEN 'failed'::"EmailStatus" ELSE status END,
           last_error = CASE WHEN status = 'queued' THEN 'recipient erased' ELSE privacy_redact_text(last_error, $2::text[]) END,
           updated_at = now()
         WHERE lower(recipient) = $1`,
        [s.email, s.terms],
      ),
  },
  {
    // Mail from or about them that matched no ticket of theirs (a bounce, a stray mail).
    table: 'inbound_mails',
    run: (c, s) =>
      count(
        c,
        `UPDATE inbound_mails SET raw = ''::bytea, envelope_from = NULL,
           error = privacy_redact_text(error, $3::text[]), raw_purged_at = COALESCE(raw_purged_at, now())
         WHERE lower(envelope_from) = $1 OR error ILIKE $2
            OR (octet_length(raw) > 0 AND encode(raw, 'escape') ILIKE $2)`,
        [s.email, containsPattern(s.email), s.terms],
      ),
  },
  {
    // Pending jobs whose key or payload names them (mail job keys end with the recipient). A
    // running one is left for the next pass (service.ts finishes only when none is left).
    table: 'graphile_worker.jobs',
    run: (c, s) =>
      count(
        c,
        `DELETE FROM graphile_worker._private_jobs
         WHERE locked_at IS NULL AND (key ILIKE $1 OR payload::text ILIKE $1 OR last_error ILIKE $1)`,
        [containsPattern(s.email)],
      ),
  },
  {
    table: 'rate_limit_counters',
    run: (c, s) => count(c, 'DELETE FROM rate_limit_counters WHERE key ILIKE $1', [containsPattern(s.email)]),
  },
  {
    table: 'login_throttles',
    run: (c, s) => count(c, 'DELETE FROM login_throttles WHERE key ILIKE $1', [containsPattern(s.email)]),
  },
  {
    table: 'admin_sessions',
    run: (c, s) => count(c, 'DELETE FROM admin_sessions WHERE sess::text ILIKE $1', [containsPattern(s.email)]),
  },
  {
    // A CSV export filtered by their address or name keeps that it had a filter, not its value.
    table: 'csv_export_filters',
    run: (c, s) =>
      scalar(
        c,
        `WITH hit AS (
           DELETE FROM csv_export_filters f WHERE EXISTS (
             SELECT 1 FROM unnest($1::text[]) AS t(term) WHERE length(t.term) >= 3 AND f.value ILIKE '%' || t.term || '%')
           RETURNING export_id, param
         ), kept AS (
           INSERT INTO csv_export_filters (export_id, param, value)
           SELECT DISTINCT export_id, param, privacy_tombstone() FROM hit ON CONFLICT DO NOTHING
         )
         SELECT count(*)::int AS n FROM hit`,
        [s.terms],
      ),
  },
  {
    // A customer account with their address (role user; staff accounts are managed as users): the
    // row stays (its tickets and tokens point at it) without address, name or password.
    table: 'users',
    run: async (c, s) => {
      const { rows } = await c.query<{ id: string }>(
        `UPDATE users SET email = replace(privacy_tombstone_email(), '@', '+' || left(id::text, 8) || '@'),
           name = privacy_tombstone(), password_hash = NULL, is_active = false, updated_at = now()
         WHERE lower(email::text) = $1 AND role = 'user' RETURNING id`,
        [s.email],
      );
      if (!rows.length) return 0;
      const ids = rows.map((r) => r.id);
      return rows.length + (await scalar(c, 'SELECT audit_redact($1::uuid, $2::uuid[]) AS n', [s.erasureId, ids]));
    },
  },
  {
    // An earlier request for them that failed keeps nothing of them either.
    table: 'erasure_requests',
    run: (c, s) =>
      count(
        c,
        `UPDATE erasure_requests SET email = NULL, terms = '{}' WHERE id <> $2 AND lower(email) = $1 AND status = 'failed'`,
        [s.email, s.erasureId],
      ),
  },
  {
    table: 'webhook_deliveries',
    run: async (c, s) =>
      (await tableExists(c, 'webhook_deliveries'))
        ? count(
            c,
            `UPDATE webhook_deliveries SET
               payload = jsonb_build_object('type', payload->'type', 'timestamp', payload->'timestamp',
                                            'data', jsonb_build_object('erased', true)),
               response_body = NULL, last_error = privacy_redact_text(last_error, $2::text[])
             WHERE payload::text ILIKE $1 OR response_body ILIKE $1`,
            [containsPattern(s.email), s.terms],
          )
        : 0,
  },
  {
    // Who exported them stays; whom becomes "the person erased by this request".
    table: 'privacy_exports',
    run: (c, s) =>
      count(
        c,
        'UPDATE privacy_exports SET subject_email = NULL, erasure_request_id = $2 WHERE lower(subject_email) = $1',
        [s.email, s.erasureId],
      ),
  },
];

/** Jobs that name the person but are running right now (the sweep waits for them). */
export async function lockedJobsNaming(client: pg.ClientBase, email: string): Promise<number> {
  return scalar(
    client,
    `SELECT count(*)::int AS n FROM graphile_worker._private_jobs
     WHERE locked_at IS NOT NULL AND (key ILIKE $1 OR payload::text ILIKE $1)`,
    [containsPattern(email)],
  );
}

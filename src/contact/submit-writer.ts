// Writes public submissions. Every ticket of a day takes the next number from one counter row, so
// submissions are serialised on that row's lock until COMMIT (and a COMMIT waits for the WAL
// flush). Writing them one transaction each capped throughput at roughly one commit per flush.
// Instead, concurrent submissions in one process are written together: while one transaction is
// in flight, new ones queue, and the next transaction takes all of them (group commit). Under
// light load a batch is a single submission and nothing waits. Each ticket still gets its own
// audit context (actor / source / request id) and its own mails, and the request only gets its
// 201 after the COMMIT that made its ticket durable.

import type pg from 'pg';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { withPgTransaction, type AuditSource } from '../db/tx.js';
import { pgRunner } from '../db/sql.js';
import { GroupCommit } from '../db/group-commit.js';
import { queueTicketMails, type QueueMailInput } from '../mail/mail.queue.js';
import { queueWebhookEvents } from '../webhooks/events.js';
import type { SubmissionRow, SubmitInput } from './contact.schema.js';
import { PUBLIC_RETURNING } from './ticket.shape.js';
import { reserveTicketNumbers } from './ticket-number.js';
import { initialSla, loadSlaSettings, type SlaSettings } from '../sla/sla.service.js';

export interface SubmitMeta {
  actor: Actor | null;
  ip: string | null;
  userAgent: string | null;
  requestId?: string | null;
  source?: AuditSource;
  /** Where the ticket came from (default web: the form / the API). */
  channel?: 'web' | 'email';
  /** The earlier ticket this one follows up (a customer writing again after it was closed). */
  parentTicketId?: string | null;
  /** false: no confirmation to the sender (an automated mail or a sender over the auto-reply limit). */
  confirmation?: boolean;
  /**
   * The submit's Idempotency-Key (src/contact/idempotency.ts): recorded by the ticket's own INSERT,
   * in its transaction, so it costs no commit of its own; a second ticket for the same key fails
   * on the key's primary key and the route answers with the first one.
   */
  idempotency?: { key: string; hash: string } | null;
}

const MAX_BATCH = 100;

const RETURNING = `RETURNING ${PUBLIC_RETURNING}`;

/**
 * The inserts of a batch go to PostgreSQL as ONE multi-statement query (one round trip while the
 * counter lock is held, instead of one per ticket). Each insert is preceded by its own
 * set_config() statement, so the audit trigger of each row sees its own request's actor, source
 * and request id. Multi-statement queries cannot take bind parameters, so every value goes
 * through the driver's escapeLiteral (input is validated: no NUL bytes, bounded lengths).
 */
function batchInsertSql(
  client: pg.PoolClient,
  batch: BatchItem[],
  numbers: string[],
  now: Date,
  sla: SlaSettings,
): string {
  const lit = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : client.escapeLiteral(v));
  const at = lit(now.toISOString());
  return batch
    .map(({ input, meta }, i) => {
      const actorId = meta.actor?.id ?? null;
      // The SLA clocks start with the ticket (src/sla): due times written by the insert itself.
      const due = initialSla(sla, { priority: 'normal', category: input.category }, now);
      return (
        `SELECT set_config('contactdesk.actor_id', ${lit(actorId ?? '')}, true),` +
        ` set_config('contactdesk.source', ${lit(meta.source ?? 'api')}, true),` +
        ` set_config('contactdesk.request_id', ${lit(meta.requestId ?? '')}, true);\n` +
        (meta.idempotency ? 'WITH t AS (' : '') +
        `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, category, status,` +
        ` user_id, created_at, updated_at, ip_address, user_agent, channel, parent_ticket_id, language,` +
        ` sla_first_response_due_at, sla_resolution_due_at) VALUES (gen_random_uuid(),` +
        ` ${lit(numbers[i])}, ${lit(input.name)}, ${lit(input.email)}, ${lit(input.subject)}, ${lit(input.message)},` +
        ` ${lit(input.category)}::"TicketCategory", 'pending', ${lit(actorId)}::uuid, ${at}::timestamptz,` +
        ` ${at}::timestamptz, ${lit(meta.ip)}::inet, ${lit(meta.userAgent?.slice(0, 512))},` +
        ` ${lit(meta.channel ?? 'web')}::"TicketChannel", ${lit(meta.parentTicketId)}::uuid,` +
        ` ${lit(input.lang ?? 'en')}::"TicketLanguage", ${lit(due.firstResponseDueAt?.toISOString())}::timestamptz,` +
        ` ${lit(due.resolutionDueAt?.toISOString())}::timestamptz) ${RETURNING}` +
        (meta.idempotency
          ? `), k AS (INSERT INTO idempotency_keys (key, request_hash, ticket_id)` +
            ` SELECT ${lit(meta.idempotency.key)}, ${lit(meta.idempotency.hash)}, "id" FROM t) SELECT * FROM t`
          : '')
      );
    })
    .join(';\n');
}

type BatchItem = { input: SubmitInput; meta: SubmitMeta };

/** Writes the given submissions in ONE transaction: numbers, rows, mails. All or nothing. */
export async function writeSubmissions(ctx: AppContext, batch: BatchItem[]): Promise<SubmissionRow[]> {
  // The audit context is set per statement inside the batch (batchInsertSql), not per transaction.
  return withPgTransaction(ctx.db, (client) => writeSubmissionsIn(ctx, client, batch));
}

/** The same inside the caller's transaction (a ticket opened by an inbound email). */
export async function writeSubmissionsIn(
  ctx: AppContext,
  client: pg.PoolClient,
  batch: BatchItem[],
): Promise<SubmissionRow[]> {
  {
    const now = ctx.clock.now();
    // Read before the day's counter row is locked: the lock is held until COMMIT, so nothing
    // that can wait goes after it.
    const sla = await loadSlaSettings(client);
    const numbers = await reserveTicketNumbers(client, now, batch.length);
    const results = (await client.query(
      batchInsertSql(client, batch, numbers, now, sla),
    )) as unknown as pg.QueryResult[];
    // Results alternate: set_config, insert, set_config, insert, ...
    const tickets = results.filter((_, i) => i % 2 === 1).map((r) => r.rows[0] as SubmissionRow);
    const adminRecipients = ctx.config.ADMIN_NOTIFY_EMAILS.length ? ctx.config.ADMIN_NOTIFY_EMAILS : null;
    const mails: QueueMailInput[] = tickets.flatMap((t, i) => [
      ...(batch[i]!.meta.confirmation === false
        ? []
        : [
            {
              ticketId: t.id,
              ticketNumber: t.ticketNumber,
              kind: 'contact_confirmation' as const,
              recipients: [t.email],
            },
          ]),
      {
        ticketId: t.id,
        ticketNumber: t.ticketNumber,
        kind: 'contact_admin_notification' as const,
        recipients: adminRecipients,
      },
    ]);
    await queueTicketMails(pgRunner(client), mails);
    // One statement for the whole batch (no query at all while no endpoint listens).
    await queueWebhookEvents(
      client,
      now,
      tickets.map((t) => ({ type: 'ticket.created' as const, ticketId: t.id })),
    );
    return tickets;
  }
}

/** Submissions of one process, written in group-commit batches (src/db/group-commit.ts). */
export interface SubmitBatcher {
  submit(input: SubmitInput, meta: SubmitMeta): Promise<SubmissionRow>;
}

const batchers = new WeakMap<AppContext, SubmitBatcher>();

export function submissionBatcher(ctx: AppContext): SubmitBatcher {
  let batcher = batchers.get(ctx);
  if (!batcher) {
    const group = new GroupCommit<BatchItem, SubmissionRow>((items) => writeSubmissions(ctx, items), {
      maxItems: MAX_BATCH,
    });
    batcher = { submit: (input, meta) => group.add({ input, meta }) };
    batchers.set(ctx, batcher);
  }
  return batcher;
}

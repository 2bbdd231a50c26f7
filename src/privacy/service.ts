// Erasure use cases: ask for one (admins), read its progress, and run it one step at a time (the
// job in jobs.ts). A step is one short transaction: collect the tickets, erase one batch, or sweep
// what lies outside the tickets. Progress is committed with the step that made it, so a worker
// killed at any moment resumes where the last commit left off; every step is idempotent.
import type pg from 'pg';
import { requireAdmin } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { inPgTransaction, setWriteContext, withPgTransaction, type AuditSource } from '../db/tx.js';
import { notFound } from '../errors.js';
import { parseInput } from '../shared/input.js';
import { lockedJobsNaming, SWEEP_STEPS, TICKET_STEPS, type BatchScope } from './erasure.js';
import {
  ERASURE_TASK,
  erasureIdSchema,
  erasureInputSchema,
  erasureView,
  redactionTerms,
  type ErasureRequestRow,
  type ErasureView,
} from './schema.js';

export interface PrivacyMeta {
  source: AuditSource;
  requestId?: string | null;
}

const SELECT_REQUEST = `SELECT id, kind::text AS kind, status::text AS status, phase, email, terms, cutoff,
  tickets_total, tickets_done, batches, rows_redacted, requested_by_id, source, request_id, last_error,
  created_at, started_at, finished_at FROM erasure_requests`;

/** Queues (or re-queues) the request's job inside the caller's transaction; one job per request. */
export async function queueErasureJob(client: pg.ClientBase, erasureId: string, delayMs = 0): Promise<void> {
  await client.query(
    `SELECT graphile_worker.add_job($1, json_build_object('erasureId', $2::text), job_key := $3,
       run_at := now() + $4 * interval '1 millisecond', max_attempts := 25)`,
    [ERASURE_TASK, erasureId, `privacy:erasure:${erasureId}`, delayMs],
  );
}

/** "Erase this person": one open request per address (asking again answers with the open one). */
export async function requestErasure(
  ctx: AppContext,
  actor: Actor | null,
  input: unknown,
  meta: PrivacyMeta,
): Promise<{ erasure: ErasureView; created: boolean }> {
  requireAdmin(actor);
  const { email } = parseInput(erasureInputSchema, input);
  return inPgTransaction(ctx.db, { actorId: actor.id, ...meta }, async (client) => {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO erasure_requests (kind, email, requested_by_id, source, request_id, created_at, updated_at)
       VALUES ('person', $1, $2, $3, $4, $5, $5)
       ON CONFLICT (lower(email)) WHERE status IN ('pending', 'running') AND email IS NOT NULL DO NOTHING
       RETURNING id`,
      [email, actor.id, meta.source, meta.requestId ?? null, ctx.clock.now()],
    );
    const created = inserted.rows.length === 1;
    if (created) await queueErasureJob(client, inserted.rows[0]!.id);
    const { rows } = await client.query<ErasureRequestRow>(
      `${SELECT_REQUEST} WHERE lower(email) = $1 AND status IN ('pending', 'running')`,
      [email],
    );
    return { erasure: erasureView(rows[0]!), created };
  });
}

export async function getErasure(ctx: AppContext, actor: Actor | null, id: string): Promise<ErasureView> {
  requireAdmin(actor);
  const erasureId = parseInput(erasureIdSchema, id);
  const { rows } = await ctx.db.pool.query<ErasureRequestRow>(`${SELECT_REQUEST} WHERE id = $1`, [erasureId]);
  if (!rows[0]) throw notFound('Erasure request');
  return erasureView(rows[0]);
}

export async function listErasures(
  ctx: AppContext,
  actor: Actor | null,
  page: { limit?: number; offset?: number } = {},
): Promise<{ erasures: ErasureView[]; total: number }> {
  requireAdmin(actor);
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
  const offset = Math.max(page.offset ?? 0, 0);
  const [{ rows }, total] = await Promise.all([
    ctx.db.pool.query<ErasureRequestRow>(`${SELECT_REQUEST} ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`, [
      limit,
      offset,
    ]),
    ctx.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM erasure_requests'),
  ]);
  return { erasures: rows.map(erasureView), total: total.rows[0]!.n };
}

export type StepOutcome = 'more' | 'waiting' | 'done';

export interface StepOptions {
  /** Queue the next job in this step's transaction when work is left (the job's time slice is over). */
  requeue?: boolean;
  /** Test seam: runs just before COMMIT (e.g. to cut the connection there). */
  beforeCommit?: (client: pg.ClientBase) => Promise<void>;
}

const add = (a: Record<string, number>, b: Record<string, number>) => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) if (v) out[k] = (out[k] ?? 0) + v;
  return out;
};

/** Runs the next step of an erasure in one transaction. */
export async function runErasureStep(ctx: AppContext, erasureId: string, opts: StepOptions = {}): Promise<StepOutcome> {
  return withPgTransaction(ctx.db, async (client) => {
    const { rows } = await client.query<ErasureRequestRow>(`${SELECT_REQUEST} WHERE id = $1 FOR UPDATE`, [erasureId]);
    const req = rows[0];
    if (!req || req.status === 'done' || req.status === 'failed') return 'done';
    // Every change is recorded as the requester's, made by the worker, under the erasure's id.
    await setWriteContext(client, { actorId: req.requested_by_id, source: 'worker', requestId: `erasure:${req.id}` });
    const outcome = await step(ctx, client, req);
    if (outcome === 'more' && opts.requeue) await queueErasureJob(client, req.id);
    // A job still running names the person: look again in a second.
    if (outcome === 'waiting') await queueErasureJob(client, req.id, 1000);
    await opts.beforeCommit?.(client);
    return outcome;
  });
}

async function step(ctx: AppContext, client: pg.ClientBase, req: ErasureRequestRow): Promise<StepOutcome> {
  if (req.phase === 'collect') return collect(ctx, client, req);
  if (req.phase === 'tickets') return eraseBatch(ctx, client, req);
  if (req.phase === 'sweep') return sweep(client, req);
  await finish(client, req);
  return 'done';
}

/** The person's tickets (live ones, and deleted ones their audit events still name). */
const PERSON_TICKETS = `SELECT $1::uuid, id FROM contact_submissions WHERE lower(email) = $2
  UNION SELECT $1::uuid, ticket_id FROM contact_submission_events WHERE lower(email) = $2`;
/** Archived and untouched since the cutoff (archiving bumps updated_at, so it is at most that old). */
const RETENTION_TICKETS = `SELECT $1::uuid, id FROM contact_submissions
  WHERE status = 'archived' AND updated_at < $2 AND email <> privacy_tombstone_email()`;

async function collect(ctx: AppContext, client: pg.ClientBase, req: ErasureRequestRow): Promise<StepOutcome> {
  let terms: string[] = [];
  let inserted: number;
  if (req.kind === 'person') {
    const email = req.email!;
    // Every name they went by, before anything is erased: later batches redact them in staff text.
    const names = await client.query<{ name: string }>(
      `SELECT name FROM contact_submissions WHERE lower(email) = $1
       UNION SELECT name FROM contact_submission_events WHERE lower(email) = $1
       UNION SELECT author_name FROM ticket_messages WHERE kind = 'customer' AND lower(author_email) = $1`,
      [email],
    );
    terms = redactionTerms(
      [email],
      names.rows.map((r) => r.name),
    );
    inserted = (
      await client.query(`INSERT INTO erasure_request_tickets ${PERSON_TICKETS} ON CONFLICT DO NOTHING`, [
        req.id,
        email,
      ])
    ).rowCount!;
  } else {
    inserted = (
      await client.query(`INSERT INTO erasure_request_tickets ${RETENTION_TICKETS} ON CONFLICT DO NOTHING`, [
        req.id,
        req.cutoff,
      ])
    ).rowCount!;
  }
  await client.query(
    `UPDATE erasure_requests SET phase = 'tickets', status = 'running', terms = $2, tickets_total = $3,
       started_at = COALESCE(started_at, $4), updated_at = $4 WHERE id = $1`,
    [req.id, terms, inserted, ctx.clock.now()],
  );
  return 'more';
}

async function eraseBatch(ctx: AppContext, client: pg.ClientBase, req: ErasureRequestRow): Promise<StepOutcome> {
  const batch = (
    await client.query<{ ticket_id: string }>(
      'SELECT ticket_id FROM erasure_request_tickets WHERE request_id = $1 ORDER BY ticket_id LIMIT $2',
      [req.id, ctx.config.ERASURE_BATCH_SIZE],
    )
  ).rows.map((r) => r.ticket_id);
  if (batch.length === 0) {
    if (req.kind === 'person') {
      // Tickets they submitted while this ran are theirs too.
      const late = await client.query(
        `INSERT INTO erasure_request_tickets SELECT $1::uuid, id FROM contact_submissions WHERE lower(email) = $2
         ON CONFLICT DO NOTHING`,
        [req.id, req.email],
      );
      if (late.rowCount) {
        await client.query('UPDATE erasure_requests SET tickets_total = tickets_total + $2 WHERE id = $1', [
          req.id,
          late.rowCount,
        ]);
        return 'more';
      }
    }
    await client.query(`UPDATE erasure_requests SET phase = $2, updated_at = $3 WHERE id = $1`, [
      req.id,
      req.kind === 'person' ? 'sweep' : 'done',
      ctx.clock.now(),
    ]);
    return 'more';
  }
  // Lock the tickets (a moderator's concurrent edit waits for this short transaction). Retention
  // re-checks its rule: a ticket restored since it was collected is kept.
  const locked = await client.query<{ id: string; name: string; email: string }>(
    req.kind === 'person'
      ? 'SELECT id, name, email FROM contact_submissions WHERE id = ANY ($1::uuid[]) ORDER BY id FOR UPDATE'
      : `SELECT id, name, email FROM contact_submissions WHERE id = ANY ($1::uuid[]) AND status = 'archived'
         AND updated_at < $2 ORDER BY id FOR UPDATE`,
    req.kind === 'person' ? [batch] : [batch, req.cutoff],
  );
  // A person's deleted tickets have no row any more but their audit events still name them.
  const ticketIds = req.kind === 'person' ? batch : locked.rows.map((r) => r.id);
  const ownEmails = locked.rows.map((r) => r.email.toLowerCase());
  const emails = [...new Set([...(req.email ? [req.email] : []), ...ownEmails])];
  const terms = [
    ...new Set([
      ...req.terms,
      ...redactionTerms(
        ownEmails,
        locked.rows.map((r) => r.name),
      ),
    ]),
  ].sort((a, b) => b.length - a.length || a.localeCompare(b));
  const scope: BatchScope = { erasureId: req.id, ticketIds, emails, terms };
  const counts: Record<string, number> = {};
  if (ticketIds.length)
    for (const s of TICKET_STEPS) counts[s.table] = (counts[s.table] ?? 0) + (await s.run(client, scope));
  await client.query('DELETE FROM erasure_request_tickets WHERE request_id = $1 AND ticket_id = ANY ($2::uuid[])', [
    req.id,
    batch,
  ]);
  await client.query(
    `UPDATE erasure_requests SET tickets_done = tickets_done + $2, batches = batches + 1, rows_redacted = $3,
       updated_at = $4 WHERE id = $1`,
    [req.id, batch.length, add(req.rows_redacted, counts), ctx.clock.now()],
  );
  return 'more';
}

async function sweep(client: pg.ClientBase, req: ErasureRequestRow): Promise<StepOutcome> {
  const scope = { erasureId: req.id, email: req.email!, terms: req.terms };
  const counts: Record<string, number> = {};
  for (const s of SWEEP_STEPS) counts[s.table] = (counts[s.table] ?? 0) + (await s.run(client, scope));
  const rowsRedacted = add(req.rows_redacted, counts);
  if ((await lockedJobsNaming(client, scope.email)) > 0) {
    await client.query('UPDATE erasure_requests SET rows_redacted = $2, updated_at = now() WHERE id = $1', [
      req.id,
      rowsRedacted,
    ]);
    return 'waiting';
  }
  await finish(client, { ...req, rows_redacted: rowsRedacted });
  return 'done';
}

/** Done: the request keeps who asked, when and how many rows; the person's address and names go. */
async function finish(client: pg.ClientBase, req: ErasureRequestRow): Promise<void> {
  await client.query(
    `UPDATE erasure_requests SET status = 'done', phase = 'done', email = NULL, terms = '{}', last_error = NULL,
       rows_redacted = $2, finished_at = now(), updated_at = now() WHERE id = $1`,
    [req.id, req.rows_redacted],
  );
}

/** Records a failed step (the job retries it); after the job's last attempt the request is failed. */
export async function recordErasureError(ctx: AppContext, erasureId: string, err: unknown, final: boolean) {
  await ctx.db.pool.query(
    `UPDATE erasure_requests SET last_error = left($2, 1000), updated_at = now(),
       status = CASE WHEN $3 THEN 'failed'::"ErasureStatus" ELSE status END WHERE id = $1 AND status <> 'done'`,
    [erasureId, err instanceof Error ? err.message : String(err), final],
  );
}

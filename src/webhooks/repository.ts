// SQL of the webhook tables: endpoints, and the delivery rows the dispatcher claims and records.
import type pg from 'pg';
import type { DeliveryStatus, WebhookEventType } from './schema.js';
import { webhookId } from './signing.js';

type Queryable = pg.Pool | pg.ClientBase;

export interface EndpointRow {
  id: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  active: boolean;
  include_internal_notes: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_by_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: WebhookEventType;
  ticket_id: string | null;
  payload: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  response_status: number | null;
  response_body: string | null;
  duration_ms: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The API's endpoint JSON: never the secrets. */
export function endpointJson(e: EndpointRow) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    active: e.active,
    include_internal_notes: e.include_internal_notes,
    previous_secret_expires_at: iso(e.previous_secret_expires_at),
    failing_since: iso(e.failing_since),
    disabled_at: iso(e.disabled_at),
    disabled_reason: e.disabled_reason,
    created_at: e.created_at.toISOString(),
    updated_at: e.updated_at.toISOString(),
  };
}

export function deliveryJson(d: DeliveryRow) {
  return {
    id: d.id,
    endpoint_id: d.endpoint_id,
    event_id: d.event_id,
    webhook_id: webhookId(d.event_id),
    event_type: d.event_type,
    ticket_id: d.ticket_id,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: iso(d.next_attempt_at),
    last_attempt_at: iso(d.last_attempt_at),
    response_status: d.response_status,
    response_body: d.response_body,
    duration_ms: d.duration_ms,
    last_error: d.last_error,
    created_at: d.created_at.toISOString(),
    delivered_at: iso(d.delivered_at),
    payload: d.payload,
  };
}

const DELIVERY_COLUMNS = `id, endpoint_id, event_id, event_type, ticket_id, payload, status::text AS status, attempts,
  next_attempt_at, last_attempt_at, response_status, response_body, duration_ms, last_error, created_at, delivered_at`;

export async function listEndpoints(db: Queryable): Promise<EndpointRow[]> {
  return (await db.query<EndpointRow>('SELECT * FROM webhook_endpoints ORDER BY created_at, id')).rows;
}

export async function findEndpoint(
  db: Queryable,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<EndpointRow | null> {
  const { rows } = await db.query<EndpointRow>(
    `SELECT * FROM webhook_endpoints WHERE id = $1${opts.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function insertEndpoint(
  db: Queryable,
  e: Pick<
    EndpointRow,
    'url' | 'description' | 'events' | 'active' | 'include_internal_notes' | 'secret' | 'created_by_id'
  >,
  now: Date,
): Promise<EndpointRow> {
  const { rows } = await db.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (url, description, events, active, include_internal_notes, secret, created_by_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *`,
    [e.url, e.description, e.events, e.active, e.include_internal_notes, e.secret, e.created_by_id, now],
  );
  return rows[0]!;
}

/** Writes the given columns (snake_case) and updated_at. */
export async function updateEndpoint(
  db: Queryable,
  id: string,
  set: Partial<Omit<EndpointRow, 'id' | 'created_at' | 'updated_at'>>,
  now: Date,
): Promise<EndpointRow | null> {
  const cols = Object.keys(set);
  const { rows } = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints SET updated_at = $2${cols.map((c, i) => `, ${c} = $${i + 3}`).join('')}
     WHERE id = $1 RETURNING *`,
    [id, now, ...cols.map((c) => (set as Record<string, unknown>)[c])],
  );
  return rows[0] ?? null;
}

export async function deleteEndpoint(db: Queryable, id: string): Promise<boolean> {
  return ((await db.query('DELETE FROM webhook_endpoints WHERE id = $1', [id])).rowCount ?? 0) > 0;
}

export async function listDeliveries(
  db: Queryable,
  /** null: every endpoint's (the panel's log). */
  endpointId: string | null,
  q: { status?: DeliveryStatus; limit: number; offset: number },
): Promise<{ rows: DeliveryRow[]; total: number }> {
  const where = `($1::uuid IS NULL OR endpoint_id = $1)${q.status ? ' AND status = $2::"WebhookDeliveryStatus"' : ''}`;
  const params: unknown[] = q.status ? [endpointId, q.status] : [endpointId];
  const [page, count] = await Promise.all([
    db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ${where}
       ORDER BY created_at DESC, id DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
      params,
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE ${where}`, params),
  ]);
  return { rows: page.rows, total: count.rows[0]!.n };
}

export async function findDelivery(db: Queryable, id: string): Promise<DeliveryRow | null> {
  const { rows } = await db.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1`, [
    id,
  ]);
  return rows[0] ?? null;
}

/** The dispatch job of an endpoint, now (replacing a later scheduled run: new work is due now). */
export const DISPATCH_TASK = 'webhook_dispatch';
export const dispatchJobSql = (endpointIdSql: string, runAtSql = 'now()', mode = 'replace') =>
  `graphile_worker.add_job('${DISPATCH_TASK}', json_build_object('endpointId', ${endpointIdSql}),
     run_at := ${runAtSql}, job_key := 'webhook:' || ${endpointIdSql}, job_key_mode := '${mode}', max_attempts := 5)`;

/**
 * Puts a delivery back in the queue for an attempt now (resend; also a failed one), with the same
 * event id, hence the same webhook-id. Returns the row, or null when it is not the endpoint's.
 */
export async function requeueDelivery(
  db: Queryable,
  endpointId: string,
  deliveryId: string,
  now: Date,
): Promise<DeliveryRow | null> {
  const { rows } = await db.query<DeliveryRow>(
    `WITH d AS (
       UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, locked_until = NULL
       WHERE id = $2 AND endpoint_id = $1 AND status <> 'sending' RETURNING *
     )
     SELECT ${DELIVERY_COLUMNS}, ${dispatchJobSql('d.endpoint_id')} IS NOT NULL AS queued FROM d`,
    [endpointId, deliveryId, now],
  );
  return rows[0] ?? null;
}

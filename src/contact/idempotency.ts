// Idempotency-Key for the public submit (issue 13): the widget sends a random key per form fill,
// so a double click, a retry after a lost answer or a re-sent request gets the ticket the first
// request created instead of a second ticket (and a second pair of mails).
//
// Cheap on purpose (bench/widget.ts: the widget path must keep ≥ 0.9× the plain submit): a new
// key costs no query of its own. It is written by the ticket's own INSERT, inside its
// group-commit transaction (submit-writer.ts), never by a transaction of its own (each extra
// COMMIT is a WAL flush). A known key fails that INSERT on the key's primary key (a racing
// request waits for the first one's COMMIT, then fails), and the route answers with the first
// ticket (findReplay). The same key with another body is a client bug: 422. Keys are kept
// KEY_TTL; an expired one is removed when it is reused.

import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { SubmissionRow, SubmitInput } from './contact.schema.js';
import { PUBLIC_RETURNING } from './ticket.shape.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY_PATTERN = /^[A-Za-z0-9_-]{8,100}$/;
const KEY_TTL = '24 hours';

/** The key and body hash a submit records with its ticket (SubmitMeta.idempotency). */
export interface IdempotencyClaim {
  key: string;
  hash: string;
}

/** The header's value, checked; undefined when the request has none (plain forms, API clients). */
export function idempotencyKeyOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const key = value.trim();
  if (!KEY_PATTERN.test(key)) {
    throw new AppError({
      code: 'invalid_idempotency_key',
      status: 400,
      message: `${IDEMPOTENCY_HEADER} must be 8 to 100 letters, digits, "-" or "_"`,
    });
  }
  return key;
}

/** sha256 of what the request asks for: the parsed input (keys sorted) and who asks. */
export function requestHash(input: SubmitInput, actorId: string | null): string {
  const sorted = Object.fromEntries(Object.entries(input).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256')
    .update(JSON.stringify({ input: sorted, actorId }))
    .digest('hex');
}

/**
 * The ticket an earlier request with this key created, or null when the key is new (or expired:
 * then it is removed so the new ticket can take it). The same key with another body: 422.
 */
export async function findReplay(ctx: AppContext, claim: IdempotencyClaim): Promise<SubmissionRow | null> {
  const { pool } = ctx.db;
  const { rows } = await pool.query<{ request_hash: string; ticket_id: string; expired: boolean }>(
    `SELECT request_hash, ticket_id, created_at < now() - interval '${KEY_TTL}' AS expired
     FROM idempotency_keys WHERE key = $1`,
    [claim.key],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.expired) {
    await pool.query(`DELETE FROM idempotency_keys WHERE key = $1 AND created_at < now() - interval '${KEY_TTL}'`, [
      claim.key,
    ]);
    return null;
  }
  if (row.request_hash !== claim.hash) {
    throw new AppError({
      code: 'idempotency_key_reused',
      status: 422,
      message: `This ${IDEMPOTENCY_HEADER} was already used for a different submission`,
    });
  }
  // The same columns as the first answer's RETURNING: the replay's body is the same JSON.
  const t = await pool.query<SubmissionRow>(`SELECT ${PUBLIC_RETURNING} FROM contact_submissions WHERE id = $1`, [
    row.ticket_id,
  ]);
  if (t.rows[0]) return t.rows[0];
  // The ticket was deleted (no foreign key, see migration 20261202810000): the key is free again.
  await pool.query('DELETE FROM idempotency_keys WHERE key = $1', [claim.key]);
  return null;
}

/** A ticket INSERT that lost the race for its key to a concurrent request with the same key. */
export function isKeyTaken(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'idempotency_keys_pkey';
}

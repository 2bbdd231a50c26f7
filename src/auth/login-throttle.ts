// Login throttling, stored in `login_throttles` so every app instance shares it.
//
// Two counters per attempt, each with exponential back-off after a few free failures:
//   acct:<email>  per account, from any IP: short and capped (15 min), so an attacker can only
//                 slow the real user down, and never at all from an address the user has
//                 successfully signed in from before (see `seen:` below);
//   ip:<bucket>   per client address (an IPv6 client by its /64, see limitBucket), across
//                 accounts: more free attempts (offices share NATs), but a longer cap and a
//                 longer memory — this is the one that hurts an attacker.
// Each attempt is counted BEFORE the password is checked (one atomic upsert per key), so a burst
// of simultaneous guesses gets no more argon2 checks than a slow series. Attempts made while
// blocked are refused and not counted, so hammering a blocked key does not extend the block. A key's failures are forgotten after a
// quiet period; a successful login clears the account counter (not the IP counter: otherwise
// an attacker could reset their IP by signing in to an account of their own between guesses).
//
//   seen:<email>|<bucket>  written on each successful login (last_failure_at holds the time of that
//                 success). A login from such an address skips the per-account block: a botnet
//                 spraying guesses at one account cannot keep its owner out.
import type { AppContext } from '../context.js';
import type { Db } from '../db/client.js';
import { inPgTransaction, type WriteContext } from '../db/tx.js';
import type { SqlRunner } from '../db/sql.js';
import { AppError } from '../errors.js';
import { limitBucket } from '../shared/addresses.js';

export interface ThrottlePolicy {
  /** Failures allowed before any delay. */
  freeFailures: number;
  /** Delay after the first failure over the free ones; doubles with each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures are forgotten after this long without a new one. */
  resetAfterMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseDelayMs: SECOND,
  maxDelayMs: 15 * MINUTE,
  resetAfterMs: HOUR,
};

export const IP_POLICY: ThrottlePolicy = {
  freeFailures: 20,
  baseDelayMs: SECOND,
  maxDelayMs: HOUR,
  resetAfterMs: 6 * HOUR,
};

/** How long a successful login vouches for its address against the per-account block. */
export const SEEN_ADDRESS_TTL_MS = 90 * DAY;

export interface LoginAttempt {
  email: string;
  ip: string;
}

const normalEmail = (email: string) => email.trim().toLowerCase();
export const accountKey = (email: string) => `acct:${normalEmail(email)}`.slice(0, 300);
// `bucket`: limitBucket(ip), the same per-address bucket the public form's limits count in.
export const ipKey = (bucket: string) => `ip:${bucket}`.slice(0, 300);
export const seenKey = (email: string, bucket: string) => `seen:${normalEmail(email)}|${bucket}`.slice(0, 300);

/** Delay imposed after `failures` consecutive failures (0 while still within the free ones). */
export function backoffMs(failures: number, policy: ThrottlePolicy): number {
  const over = failures - policy.freeFailures;
  if (over <= 0) return 0;
  // 2^over overflows to Infinity long before it matters; the cap keeps it finite.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (over - 1));
}

export const tooManyAttempts = (retryAfterSeconds: number) =>
  new AppError({
    code: 'too_many_attempts',
    status: 429,
    message: `Too many failed sign-in attempts; retry in ${retryAfterSeconds} s`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/** What `reserveLoginAttempt` counted; `recordLoginSuccess` hands the address's attempt back. */
export interface LoginReservation {
  /** The per-address failure count right after this attempt was counted. */
  ipFailures: number;
  /** The address's limit bucket, so the success is booked on the same keys as the attempt. */
  ipBucket: string;
}

// Nth failure → when its block ends (NULL within the free ones); the same arithmetic as
// backoffMs. $2 = now, $3 = free failures, $4 = base delay ms, $5 = cap ms. The exponent is
// capped so 2^n stays a small finite number long after the cap has taken over.
const blockedUntilSql = (n: string) =>
  `CASE WHEN ${n} > $3 THEN $2::timestamptz + LEAST($5::float8, $4::float8 * 2 ^ LEAST(${n} - $3 - 1, 60))
     * interval '1 millisecond' END`;
// $6 = quiet period ms: a key quiet that long starts over at 1.
const nextFailuresSql = `CASE WHEN t.last_failure_at <= $2::timestamptz - $6::float8 * interval '1 millisecond'
  THEN 1 ELSE t.failures + 1 END`;

// One statement per key counts the attempt and tells whether the key was blocked: the upsert locks
// the row, so concurrent attempts on one key are counted strictly one after another, and the WHERE
// leaves a blocked row untouched and returns no row at all (blocked attempts are not counted).
const RESERVE_SQL = `INSERT INTO login_throttles AS t (key, failures, last_failure_at, blocked_until)
  VALUES ($1, 1, $2, ${blockedUntilSql('1')})
  ON CONFLICT (key) DO UPDATE SET failures = ${nextFailuresSql}, last_failure_at = $2,
    blocked_until = ${blockedUntilSql(`(${nextFailuresSql})`)}
  WHERE t.blocked_until IS NULL OR t.blocked_until <= $2
  RETURNING failures`;

const policyParams = (p: ThrottlePolicy) => [p.freeFailures, p.baseDelayMs, p.maxDelayMs, p.resetAfterMs];

/**
 * Counts this attempt against the account and the address BEFORE the password is checked, so
 * however many requests arrive at once, only the free allowance reaches argon2 (the attempt that
 * crosses it sets the block the next ones meet). Throws 429 `too_many_attempts` (with
 * Retry-After) while a key is blocked; the refused attempt then counts nowhere (rolled back).
 * The per-account block is ignored from an address the owner has signed in from (`seen:`).
 */
export async function reserveLoginAttempt(
  ctx: AppContext,
  attempt: LoginAttempt,
  write: WriteContext,
): Promise<LoginReservation> {
  const now = ctx.clock.now();
  const acct = accountKey(attempt.email);
  const ipBucket = limitBucket(attempt.ip, ctx.config.IPV6_PREFIX_LENGTH);
  const ip = ipKey(ipBucket);
  const seen = seenKey(attempt.email, ipBucket);
  const reservation = await inPgTransaction(ctx.db, write, async (client) => {
    const seenRow = await client.query<{ last_failure_at: Date }>(
      'SELECT last_failure_at FROM login_throttles WHERE key = $1',
      [seen],
    );
    const seenAt = seenRow.rows[0]?.last_failure_at.getTime();
    const knownAddress = seenAt !== undefined && now.getTime() - seenAt < SEEN_ADDRESS_TTL_MS;
    // Same lock order everywhere ('acct:' < 'ip:'): concurrent attempts never deadlock.
    const counted = await client.query<{ failures: number }>(RESERVE_SQL, [acct, now, ...policyParams(ACCOUNT_POLICY)]);
    if (counted.rowCount === 0 && !knownAddress) return { blocked: [acct] as string[] };
    const ipCounted = await client.query<{ failures: number }>(RESERVE_SQL, [ip, now, ...policyParams(IP_POLICY)]);
    if (ipCounted.rowCount === 0) return { blocked: knownAddress ? [ip] : [acct, ip] };
    return { blocked: [] as string[], ipFailures: ipCounted.rows[0]!.failures };
  });
  if (reservation.blocked.length > 0) {
    // Read after the (now finished) transaction: only the header depends on it.
    const { rows } = await ctx.db.pool.query<{ blocked_until: Date | null }>(
      'SELECT blocked_until FROM login_throttles WHERE key = ANY($1::text[])',
      [reservation.blocked],
    );
    const until = Math.max(now.getTime(), ...rows.map((r) => r.blocked_until?.getTime() ?? 0));
    throw tooManyAttempts(Math.max(1, Math.ceil((until - now.getTime()) / 1000)));
  }
  return { ipFailures: reservation.ipFailures!, ipBucket };
}

/**
 * Deletes rows nothing reads any more: older than the longest memory (a `seen:` address's TTL)
 * and not blocking. src/jobs/sweeps.ts runs it on the worker's crontab, never during a request.
 * Idempotent; returns the rows removed.
 */
export async function sweepLoginThrottles(db: Db, now: Date): Promise<number> {
  const { rowCount } = await db.pool.query(
    'DELETE FROM login_throttles WHERE last_failure_at < $1 AND (blocked_until IS NULL OR blocked_until < $2)',
    [new Date(now.getTime() - SEEN_ADDRESS_TTL_MS), now],
  );
  return rowCount ?? 0;
}

/**
 * After a successful login: forget the account's failures, remember the address as one the
 * owner uses, and hand back the address's reserved attempt (a success is not a failure; the
 * address's earlier failures stay). If that attempt set a block and nothing was counted since,
 * the block goes too. Runs on the caller's transaction (the one that records the login).
 */
export async function recordLoginSuccess(
  sql: SqlRunner,
  attempt: LoginAttempt,
  reservation: LoginReservation,
  now: Date,
): Promise<void> {
  await sql('DELETE FROM login_throttles WHERE key = $1', [accountKey(attempt.email)]);
  await sql(
    `UPDATE login_throttles SET failures = GREATEST(failures - 1, 0),
       blocked_until = CASE WHEN failures = $2 THEN NULL ELSE blocked_until END
     WHERE key = $1`,
    [ipKey(reservation.ipBucket), reservation.ipFailures],
  );
  await sql(
    `INSERT INTO login_throttles (key, failures, last_failure_at, blocked_until) VALUES ($1, 0, $2, NULL)
     ON CONFLICT (key) DO UPDATE SET last_failure_at = EXCLUDED.last_failure_at`,
    [seenKey(attempt.email, reservation.ipBucket), now],
  );
}

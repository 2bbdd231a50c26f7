// Login throttling, stored in `login_throttles` so every app instance shares it.
//
// Two counters per attempt, each with exponential back-off after a few free failures:
//   acct:<email>  per account, from any IP: short and capped (15 min), so an attacker can only
//                 slow the real user down, and never at all from an address the user has
//                 successfully signed in from before (see `seen:` below);
//   ip:<ip>       per client address, across accounts: more free attempts (offices share NATs),
//                 but a longer cap and a longer memory — this is the one that hurts an attacker.
// Attempts made while blocked are refused before the password is checked and are not counted,
// so hammering a blocked key does not extend the block. A key's failures are forgotten after a
// quiet period; a successful login clears the account counter (not the IP counter: otherwise
// an attacker could reset their IP by signing in to an account of their own between guesses).
//
//   seen:<email>|<ip>  written on each successful login (last_failure_at holds the time of that
//                 success). A login from such an address skips the per-account block: a botnet
//                 spraying guesses at one account cannot keep its owner out.
import type { AppContext } from '../context.js';
import { inPgTransaction, type WriteContext } from '../db/tx.js';
import type { SqlRunner } from '../db/sql.js';
import { AppError } from '../errors.js';

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
export const ipKey = (ip: string) => `ip:${ip}`.slice(0, 300);
export const seenKey = (email: string, ip: string) => `seen:${normalEmail(email)}|${ip}`.slice(0, 300);

/** Delay imposed after `failures` consecutive failures (0 while still within the free ones). */
export function backoffMs(failures: number, policy: ThrottlePolicy): number {
  const over = failures - policy.freeFailures;
  if (over <= 0) return 0;
  // 2^over overflows to Infinity long before it matters; the cap keeps it finite.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (over - 1));
}

interface ThrottleRow {
  key: string;
  failures: number;
  last_failure_at: Date;
  blocked_until: Date | null;
}

export const tooManyAttempts = (retryAfterSeconds: number) =>
  new AppError({
    code: 'too_many_attempts',
    status: 429,
    message: `Too many failed sign-in attempts; retry in ${retryAfterSeconds} s`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/** Throws 429 `too_many_attempts` (with Retry-After) while the account or the address is blocked. */
export async function assertLoginAllowed(ctx: AppContext, attempt: LoginAttempt): Promise<void> {
  const now = ctx.clock.now();
  const acct = accountKey(attempt.email);
  const ip = ipKey(attempt.ip);
  const seen = seenKey(attempt.email, attempt.ip);
  const { rows } = await ctx.db.pool.query<ThrottleRow>(
    'SELECT key, failures, last_failure_at, blocked_until FROM login_throttles WHERE key = ANY($1::text[])',
    [[acct, ip, seen]],
  );
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const seenRow = byKey.get(seen);
  const knownAddress = !!seenRow && now.getTime() - seenRow.last_failure_at.getTime() < SEEN_ADDRESS_TTL_MS;
  const blocking = [byKey.get(ip), knownAddress ? undefined : byKey.get(acct)]
    .map((r) => r?.blocked_until?.getTime() ?? 0)
    .filter((until) => until > now.getTime());
  if (blocking.length === 0) return;
  throw tooManyAttempts(Math.max(1, Math.ceil((Math.max(...blocking) - now.getTime()) / 1000)));
}

/** Counts a failed attempt against the account and the address, and sets their blocks. */
export async function recordLoginFailure(ctx: AppContext, attempt: LoginAttempt, write: WriteContext): Promise<void> {
  const now = ctx.clock.now();
  const counters: Array<[string, ThrottlePolicy]> = [
    [accountKey(attempt.email), ACCOUNT_POLICY],
    [ipKey(attempt.ip), IP_POLICY],
  ];
  // Same lock order everywhere: two concurrent failures never deadlock on each other's rows.
  counters.sort(([a], [b]) => (a < b ? -1 : 1));
  await inPgTransaction(ctx.db, write, async (client) => {
    for (const [key, policy] of counters) {
      // The upsert takes the row lock; concurrent failures on one key are counted one by one.
      const { rows } = await client.query<ThrottleRow>(
        `INSERT INTO login_throttles (key, failures, last_failure_at) VALUES ($1, 0, $2)
         ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
         RETURNING key, failures, last_failure_at, blocked_until`,
        [key, now],
      );
      const row = rows[0]!;
      const quietFor = now.getTime() - row.last_failure_at.getTime();
      const failures = (quietFor >= policy.resetAfterMs ? 0 : row.failures) + 1;
      const delay = backoffMs(failures, policy);
      await client.query(
        'UPDATE login_throttles SET failures = $2, last_failure_at = $3, blocked_until = $4 WHERE key = $1',
        [key, failures, now, delay > 0 ? new Date(now.getTime() + delay) : null],
      );
    }
  });
  // Old rows are swept now and then; no separate job needed.
  if (Math.random() < 0.01) {
    ctx.db.pool
      .query(
        'DELETE FROM login_throttles WHERE last_failure_at < $1 AND (blocked_until IS NULL OR blocked_until < $2)',
        [new Date(now.getTime() - SEEN_ADDRESS_TTL_MS), now],
      )
      .catch(() => {});
  }
}

/**
 * After a successful login: forget the account's failures and remember the address as one the
 * owner uses. Runs on the caller's transaction (the one that records the login).
 */
export async function recordLoginSuccess(sql: SqlRunner, attempt: LoginAttempt, now: Date): Promise<void> {
  await sql('DELETE FROM login_throttles WHERE key = $1', [accountKey(attempt.email)]);
  await sql(
    `INSERT INTO login_throttles (key, failures, last_failure_at, blocked_until) VALUES ($1, 0, $2, NULL)
     ON CONFLICT (key) DO UPDATE SET last_failure_at = EXCLUDED.last_failure_at`,
    [seenKey(attempt.email, attempt.ip), now],
  );
}

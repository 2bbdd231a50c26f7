// Public submit limits, counted in PostgreSQL so every app instance shares them: per IP per
// minute, per IP per hour, and a site-wide hourly cap. Fixed windows; one upsert per request.
import type { AppContext } from '../context.js';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { limitBucket } from '../shared/addresses.js';

interface Window {
  key: string;
  start: Date;
  seconds: number;
  limit: number;
  label: string;
}

function windowStart(now: Date, seconds: number): Date {
  const ms = seconds * 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

export async function enforceSubmitRateLimit(ctx: AppContext, ip: string): Promise<void> {
  const { config, db, clock } = ctx;
  if (!config.RATE_LIMIT_ENABLED) return;
  const now = clock.now();
  // Per address, but an IPv6 client by its prefix (IPV6_PREFIX_LENGTH): a /64 holds more
  // addresses than any limit, and would otherwise have unlimited per-IP budget.
  const bucket = limitBucket(ip, config.IPV6_PREFIX_LENGTH);
  const windows: Window[] = [
    {
      key: `submit:ip:${bucket}:m`,
      start: windowStart(now, 60),
      seconds: 60,
      limit: config.RATE_LIMIT_PER_MINUTE,
      label: 'per minute',
    },
    {
      key: `submit:ip:${bucket}:h`,
      start: windowStart(now, 3600),
      seconds: 3600,
      limit: config.RATE_LIMIT_PER_HOUR,
      label: 'per hour',
    },
    {
      key: 'submit:site:h',
      start: windowStart(now, 3600),
      seconds: 3600,
      limit: config.RATE_LIMIT_SITE_PER_HOUR,
      label: 'site-wide per hour',
    },
  ];
  // One statement: count the per-IP windows, and count the site-wide window only when no per-IP
  // limit is exceeded. A client already refused for its own excess must not use up the budget
  // every other visitor shares (one flooding IP could otherwise close the form for everyone).
  const ipWindows = windows.slice(0, 2);
  const site = windows[2]!;
  // The site-wide row is shared by every request, and an UPDATE holds its row lock until the
  // COMMIT has been flushed to disk. A lost increment after a crash is harmless, so this one
  // statement commits without waiting for the flush (synchronous_commit off, for this
  // transaction only): the hot row is released in microseconds instead of a disk flush.
  const { rows } = await db.pool.query<{ key: string; count: number }>(
    `WITH no_flush_wait AS (
       SELECT set_config('synchronous_commit', 'off', true)
     ), ip AS (
       INSERT INTO rate_limit_counters (key, window_start, count)
       SELECT k, s, 1 FROM unnest($1::text[], $2::timestamptz[]) AS u(k, s), no_flush_wait
       ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
       RETURNING key, count
     ), over_limit AS (
       SELECT 1 FROM ip JOIN unnest($1::text[], $3::int[]) AS l(k, lim) ON l.k = ip.key WHERE ip.count > l.lim
     ), site AS (
       INSERT INTO rate_limit_counters (key, window_start, count)
       SELECT $4, $5, 1 WHERE NOT EXISTS (SELECT 1 FROM over_limit)
       ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
       RETURNING key, count
     )
     SELECT key, count FROM ip UNION ALL SELECT key, count FROM site`,
    [ipWindows.map((w) => w.key), ipWindows.map((w) => w.start), ipWindows.map((w) => w.limit), site.key, site.start],
  );
  const counts = new Map(rows.map((r) => [r.key, r.count]));
  const exceeded = windows.filter((w) => (counts.get(w.key) ?? 0) > w.limit);
  if (exceeded.length === 0) return;
  const retryAfter = Math.max(
    ...exceeded.map((w) => Math.ceil((w.start.getTime() + w.seconds * 1000 - now.getTime()) / 1000)),
  );
  throw new AppError({
    code: 'rate_limited',
    status: 429,
    message: `Too many submissions (${exceeded.map((w) => w.label).join(', ')} limit reached); retry in ${retryAfter} s`,
    headers: { 'Retry-After': String(Math.max(1, retryAfter)) },
  });
}

/** Windows are kept this long after they start (the longest window is an hour). */
const COUNTER_RETENTION_MS = 2 * 3600_000;

/**
 * Drops the counters of windows that ended long ago (src/jobs/sweeps.ts runs it on the worker's
 * crontab, never during a request). Idempotent; returns the rows removed.
 */
export async function sweepRateLimitCounters(db: Db, now: Date): Promise<number> {
  const { rowCount } = await db.pool.query('DELETE FROM rate_limit_counters WHERE window_start < $1', [
    new Date(now.getTime() - COUNTER_RETENTION_MS),
  ]);
  return rowCount ?? 0;
}

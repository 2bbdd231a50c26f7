// Public submit limits, counted in PostgreSQL so every app instance shares them: per IP per
// minute, per IP per hour, and a site-wide hourly cap. Fixed windows; one upsert per request.
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

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
  const windows: Window[] = [
    {
      key: `submit:ip:${ip}:m`,
      start: windowStart(now, 60),
      seconds: 60,
      limit: config.RATE_LIMIT_PER_MINUTE,
      label: 'per minute',
    },
    {
      key: `submit:ip:${ip}:h`,
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
  const { rows } = await db.pool.query<{ key: string; count: number }>(
    `INSERT INTO rate_limit_counters (key, window_start, count)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[])
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
     RETURNING key, count`,
    [windows.map((w) => w.key), windows.map((w) => w.start), windows.map(() => 1)],
  );
  const counts = new Map(rows.map((r) => [r.key, r.count]));
  const exceeded = windows.filter((w) => (counts.get(w.key) ?? 0) > w.limit);
  // Expired windows are dropped now and then; no separate job needed.
  if (Math.random() < 0.01) {
    db.pool
      .query('DELETE FROM rate_limit_counters WHERE window_start < $1', [new Date(now.getTime() - 2 * 3600_000)])
      .catch(() => {});
  }
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

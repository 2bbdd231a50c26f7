// Rate limits of the customer page: replies per link, "find my tickets" per IP and per address.
// The same fixed-window counters as the submit limits (rate_limit_counters, shared by every app
// instance, swept by the worker's crontab after two hours), under keys of their own.
import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { limitBucket } from '../shared/addresses.js';

export interface LimitWindow {
  key: string;
  /** At most 3600: the sweep keeps counters two hours. */
  seconds: number;
  limit: number;
}

/** Counts one hit in every window; 429 with Retry-After when any is over its limit. */
export async function enforceLimits(ctx: AppContext, windows: LimitWindow[], what: string): Promise<void> {
  if (!ctx.config.RATE_LIMIT_ENABLED || windows.length === 0) return;
  const now = ctx.clock.now().getTime();
  const starts = windows.map((w) => new Date(Math.floor(now / (w.seconds * 1000)) * w.seconds * 1000));
  const { rows } = await ctx.db.pool.query<{ key: string; count: number }>(
    `INSERT INTO rate_limit_counters (key, window_start, count)
     SELECT k, s, 1 FROM unnest($1::text[], $2::timestamptz[]) AS u(k, s)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
     RETURNING key, count`,
    [windows.map((w) => w.key), starts],
  );
  const counts = new Map(rows.map((r) => [r.key, r.count]));
  const over = windows.map((w, i) => ({ w, start: starts[i]! })).filter(({ w }) => (counts.get(w.key) ?? 0) > w.limit);
  if (!over.length) return;
  const retryAfter = Math.max(
    ...over.map(({ w, start }) => Math.ceil((start.getTime() + w.seconds * 1000 - now) / 1000)),
  );
  throw new AppError({
    code: 'rate_limited',
    status: 429,
    message: `Too many ${what}; retry in ${retryAfter} s`,
    headers: { 'Retry-After': String(Math.max(1, retryAfter)) },
  });
}

/** Keys never hold an email address or a token in clear (the counters table is not secret). */
const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

export const replyWindows = (ctx: AppContext, linkId: string): LimitWindow[] => [
  { key: `portal:reply:${linkId}:h`, seconds: 3600, limit: ctx.config.PORTAL_REPLIES_PER_HOUR },
];

export const findWindows = (ctx: AppContext, ip: string, email: string): LimitWindow[] => [
  {
    key: `portal:find:ip:${limitBucket(ip, ctx.config.IPV6_PREFIX_LENGTH)}:h`,
    seconds: 3600,
    limit: ctx.config.FIND_TICKETS_PER_IP_PER_HOUR,
  },
  {
    key: `portal:find:addr:${digest(email.toLowerCase())}:h`,
    seconds: 3600,
    limit: ctx.config.FIND_TICKETS_PER_ADDRESS_PER_HOUR,
  },
];

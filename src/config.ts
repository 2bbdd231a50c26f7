// Configuration: the environment is parsed once, at start-up, with zod. An invalid value stops
// the process with a message naming the variable. Nothing else reads process.env.
import proxyaddr from 'proxy-addr';
import { z } from 'zod';
import type { TrustProxySetting } from './http/client-ip.js';

// `PORT=` in a .env file means "not set", not 0 (z.coerce.number turns '' into 0).
const unsetIfBlank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const bool = (fallback: boolean) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? unsetIfBlank(v.trim().toLowerCase()) : v),
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v))),
  );

const int = (fallback: number, min = 0, max = 1_000_000_000) =>
  z.preprocess(
    unsetIfBlank,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

// TRUST_PROXY: true/false as before (true = one proxy hop), a hop count, or proxy-addr's
// comma-separated addresses, CIDRs and names (loopback, linklocal, uniquelocal) of trusted proxies.
const trustProxy = z.preprocess(
  unsetIfBlank,
  z
    .string()
    .optional()
    .transform((raw, ctx): TrustProxySetting => {
      const v = raw?.trim() ?? 'false';
      if (/^(true|yes)$/i.test(v)) return true;
      if (/^(false|no)$/i.test(v)) return false;
      // 0 and 1 keep their old meaning (false / true); 1 hop is what true always meant.
      if (/^\d{1,3}$/.test(v)) return Number(v) === 0 ? false : Number(v) === 1 ? true : Number(v);
      const list = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      try {
        proxyaddr.compile(list);
        return list;
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `must be true, false, a hop count, or proxy addresses / CIDRs / loopback, linklocal, uniquelocal (${(err as Error).message})`,
        });
        return z.NEVER;
      }
    }),
);

const SUBMIT_FIELDS = ['name', 'email', 'subject', 'message', 'category'];

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const emailList = optionalString.pipe(
  z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean)
        : [],
    )
    .pipe(z.array(z.email())),
);

// ALLOWED_ORIGINS: comma-separated origins (scheme://host[:port]) that may call the API from a
// browser (the widget, fetch()) and that redirect_to may point at. Each is normalised to its origin.
const originList = optionalString.transform((v, ctx): string[] => {
  const out: string[] = [];
  for (const raw of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== raw.replace(/\/+$/, '')) {
      ctx.addIssue({ code: 'custom', message: `must be comma-separated origins like https://www.example.com (no path): ${raw}` });
      return z.NEVER;
    }
    out.push(url.origin);
  }
  return out;
});

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: optionalString.pipe(
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }).optional(),
  ),
  EMBEDDED_PG_PORT: int(54329, 1, 65535),
  DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  TRUST_PROXY: trustProxy,
  ALLOWED_ORIGINS: originList,
  // The site's name on the visitor-facing pages (thank-you / error pages of the plain HTML form).
  SITE_NAME: z.string().trim().max(100, 'must be at most 100 characters').default('ContactDesk'),
  HONEYPOT_FIELD: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,40}$/i, 'must be a plain field name')
    .refine((f) => !SUBMIT_FIELDS.includes(f), 'must not be one of the real form fields')
    .default('website'),
  RATE_LIMIT_ENABLED: bool(true),
  RATE_LIMIT_PER_MINUTE: int(5, 1),
  RATE_LIMIT_PER_HOUR: int(30, 1),
  RATE_LIMIT_SITE_PER_HOUR: int(1000, 1),
  // Per-address limits count an IPv6 client by this many leading bits (one subscriber holds a /64).
  IPV6_PREFIX_LENGTH: int(64, 1, 128),
  SESSION_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  SESSION_IDLE_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(8),
  // Absolute lifetime of a panel session, however active: one sign-in per working day.
  SESSION_MAX_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(24),
  ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
  TOKEN_TTL_DAYS: z.coerce.number().positive().max(365).default(30),
  SMTP_URL: optionalString.pipe(z.url().optional()),
  MAIL_FROM: z.string().default('ContactDesk <no-reply@contactdesk.local>'),
  SUPPORT_RESPONSE_TIME: z.string().default('within 2 business days'),
  ADMIN_NOTIFY_EMAILS: emailList,
  // Conversations (docs/conversations.md). INBOUND_ADDRESS is the mailbox customers reply to;
  // each ticket's Reply-To is its plus-address with a signed token (support+<token>@domain).
  INBOUND_ADDRESS: optionalString.pipe(z.email({ error: 'must be an email address' }).optional()),
  // Signs reply-address tokens and our Message-IDs; required in production, generated into
  // DATA_DIR/mail-secret otherwise.
  MAIL_SIGNING_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  // A customer message this many days after resolution opens a new linked ticket instead.
  REOPEN_WINDOW_DAYS: int(14, 0, 3650),
  // SLA and queue upkeep (docs/sla.md): resolved tickets are archived this many days after
  // resolution (0 = never); the assignee is warned this many minutes before an SLA target is
  // breached; the morning digest goes out at this hour (0-23) in the SLA calendar's time zone.
  AUTO_ARCHIVE_DAYS: int(30, 0, 3650),
  SLA_WARN_MINUTES: int(30, 1, 10_080),
  DIGEST_HOUR: int(8, 0, 23),
  // The customer's ticket page (docs/portal.md): how long a mailed /t/<token> link works, and how
  // many replies one link may post per hour / "find my tickets" requests per IP and per address.
  CUSTOMER_LINK_DAYS: int(90, 1, 3650),
  PORTAL_REPLIES_PER_HOUR: int(20, 1),
  FIND_TICKETS_PER_IP_PER_HOUR: int(10, 1),
  FIND_TICKETS_PER_ADDRESS_PER_HOUR: int(3, 1),
  INBOUND_SMTP_PORT: z.preprocess(
    unsetIfBlank,
    z.coerce.number({ error: 'must be a whole number' }).int().min(0).max(65535).optional(),
  ),
  INBOUND_SMTP_HOST: z.string().default('0.0.0.0'),
  // imap://user:pass@host:143/ or imaps://… ; unset = no polling.
  INBOUND_IMAP_URL: optionalString.pipe(z.url({ protocol: /^imaps?$/, error: 'must be an imap:// or imaps:// URL' }).optional()),
  INBOUND_IMAP_FOLDER: z.string().default('INBOX'),
  // Where IMAP messages go once committed; unset = they are flagged \Seen and left in place.
  INBOUND_IMAP_DONE_FOLDER: optionalString,
  INBOUND_IMAP_INTERVAL_SECONDS: int(30, 1, 86_400),
  // Bearer secret of POST /api/v1/inbound/mime; unset = the endpoint answers 404.
  INBOUND_HTTP_SECRET: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  // Attachments (docs/attachments.md): per file, files per message, and all files of one message.
  ATTACHMENT_MAX_BYTES: int(10 * 1024 * 1024, 1, 2 ** 31 - 1),
  ATTACHMENT_MAX_FILES: int(5, 0, 100),
  ATTACHMENT_MAX_TOTAL_BYTES: int(25 * 1024 * 1024, 1, 2 ** 31 - 1),
  // Webhooks (docs/webhooks.md). true: endpoints may resolve to loopback / private / link-local
  // addresses (a receiver on the same host or LAN; tests). Off, such requests are refused (SSRF).
  WEBHOOK_ALLOW_PRIVATE: bool(false),
  // One attempt's whole budget: DNS, connect, TLS, request, answer.
  WEBHOOK_TIMEOUT_MS: int(5000, 100, 60_000),
  // Requests in flight per endpoint and worker.
  WEBHOOK_CONCURRENCY: int(8, 1, 100),
  // Delivered and failed deliveries (the panel's history, their payloads) are deleted this many
  // days after the event, hourly; 0 = kept forever. Pending ones are never pruned.
  WEBHOOK_DELIVERY_RETENTION_DAYS: int(30, 0, 36_500),
  // Privacy (docs/privacy.md). RETENTION_DAYS: archived tickets untouched this long are erased by
  // the nightly job; unset = kept forever. RAW_MAIL_DAYS: raw inbound mails lose their bytes after
  // this many days (the parsed messages stay); 0 = kept forever.
  RETENTION_DAYS: z.preprocess(
    unsetIfBlank,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(36_500, 'must be at most 36500')
      .optional(),
  ),
  RAW_MAIL_DAYS: int(30, 0, 36_500),
  // Tickets per erasure transaction, and the pause between two (room for the live traffic).
  ERASURE_BATCH_SIZE: int(200, 1, 10_000),
  ERASURE_BATCH_PAUSE_MS: int(20, 0, 60_000),
  WORKER_INLINE: bool(true),
  WORKER_CONCURRENCY: int(5, 1, 100),
  // Separate pools, so a mail backlog can never take the connections web requests need.
  DB_POOL_SIZE: int(10, 2, 1000),
  // Unset: WORKER_CONCURRENCY + 4 (a connection per running job, LISTEN, the liveness lock, and
  // room for graphile's job fetches/completions and the cron sweeps).
  WORKER_DB_POOL_SIZE: z.preprocess(
    unsetIfBlank,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(3, 'must be at least 3')
      .max(1000, 'must be at most 1000')
      .optional(),
  ),
});

export type Config = z.infer<typeof envSchema> & {
  /** Absolute URL the product is reached at (PUBLIC_URL or http://localhost:PORT). */
  publicUrl: string;
  isProduction: boolean;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  const isProduction = cfg.NODE_ENV === 'production';
  // No default secrets in production: the embedded/dev default generates one in DATA_DIR instead.
  if (isProduction && !cfg.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=production');
  }
  if (isProduction && !cfg.MAIL_SIGNING_SECRET) {
    throw new ConfigError('Invalid configuration:\n  MAIL_SIGNING_SECRET: required when NODE_ENV=production');
  }
  if (cfg.SESSION_MAX_HOURS < cfg.SESSION_IDLE_HOURS) {
    throw new ConfigError('Invalid configuration:\n  SESSION_MAX_HOURS: must be at least SESSION_IDLE_HOURS');
  }
  const publicUrl = (cfg.PUBLIC_URL ?? `http://localhost:${cfg.PORT}`).replace(/\/+$/, '');
  return { ...cfg, publicUrl, isProduction };
}

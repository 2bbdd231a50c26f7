// Customer links: PUBLIC_URL/t/<token>, the customer's way to their ticket page. Design
// (docs/portal.md):
// - The token is 256 bits of HMAC-SHA256 over the delivery id and the ticket id, keyed with the
//   mail signing key. Unguessable without the key, and deterministic per delivery: every retry of
//   one mail carries the same link (no second row, no dead link in an earlier attempt's copy).
// - Only sha256(token) is stored (customer_links.token_hash), like API tokens: the table alone
//   opens nothing. A link works while it is not expired (CUSTOMER_LINK_DAYS after it was first
//   made) and not revoked; a deleted ticket deletes its links (foreign key cascade).
// - Anything else (unknown, tampered, expired, revoked) is "no such link": the page answers the
//   same 404 for all of them, so a probe learns nothing.
import { createHash, createHmac } from 'node:crypto';
import type pg from 'pg';
import { requireAdmin } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { Config } from '../config.js';
import type { AppContext } from '../context.js';
import { signingKey } from '../conversation/mail-signing.js';
import { inPgTransaction, type AuditSource } from '../db/tx.js';
import { notFound } from '../errors.js';
import { assertUuid } from '../shared/ids.js';

type KeyConfig = Pick<Config, 'MAIL_SIGNING_SECRET' | 'DATA_DIR'>;

const DAY_MS = 86_400_000;
/** base64url of 32 bytes. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The link token a delivery carries for a ticket (the same on every attempt of that delivery). */
export function customerLinkToken(config: KeyConfig, deliveryId: string, ticketId: string): string {
  return createHmac('sha256', signingKey(config)).update(`customer-link:${deliveryId}:${ticketId}`).digest('base64url');
}

export const customerLinkUrl = (config: Pick<Config, 'publicUrl'>, token: string): string =>
  `${config.publicUrl}/t/${token}`;

export interface CustomerLinkUrls {
  page: string;
  rateGood: string;
  rateBad: string;
}

/** The row a delivery's link is stored as, and the URLs its mail carries. */
export interface CustomerLinkRecord {
  ticketId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  urls: CustomerLinkUrls;
}

/**
 * The link of (delivery, ticket), not yet stored: the worker's claim statement stores it
 * (src/mail/delivery-store.ts) or ensureCustomerLink does. Pure: the token is derived, not drawn.
 */
export function customerLinkRecord(
  ctx: Pick<AppContext, 'config' | 'clock'>,
  deliveryId: string,
  ticketId: string,
): CustomerLinkRecord {
  const token = customerLinkToken(ctx.config, deliveryId, ticketId);
  const now = ctx.clock.now();
  const page = customerLinkUrl(ctx.config, token);
  return {
    ticketId,
    tokenHash: hashToken(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + ctx.config.CUSTOMER_LINK_DAYS * DAY_MS),
    urls: { page, rateGood: `${page}/rate/good`, rateBad: `${page}/rate/bad` },
  };
}

/**
 * Makes sure the link of (delivery, ticket) exists and returns its URLs. Called by the worker
 * right before sending: a retry finds the row already there (ON CONFLICT) and keeps its expiry
 * and, if an admin revoked it meanwhile, its revocation.
 */
export async function ensureCustomerLink(
  ctx: Pick<AppContext, 'config' | 'clock'> & { db: { pool: pg.Pool } },
  deliveryId: string,
  ticketId: string,
): Promise<CustomerLinkUrls> {
  const link = customerLinkRecord(ctx, deliveryId, ticketId);
  await ctx.db.pool.query(
    `INSERT INTO customer_links (ticket_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (token_hash) DO NOTHING`,
    [link.ticketId, link.tokenHash, link.createdAt, link.expiresAt],
  );
  return link.urls;
}

export interface CustomerLink {
  id: string;
  ticketId: string;
}

/** The live link a token names, or null (unknown, malformed, expired, revoked, ticket deleted). */
export async function findCustomerLink(
  db: pg.Pool | pg.ClientBase,
  token: string,
  now: Date,
): Promise<CustomerLink | null> {
  // A malformed token never reaches the database (and costs the same as an unknown one to answer).
  if (!TOKEN_SHAPE.test(token)) return null;
  const { rows } = await db.query<{ id: string; ticket_id: string }>(
    `SELECT id, ticket_id FROM customer_links WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2`,
    [hashToken(token), now],
  );
  const r = rows[0];
  return r ? { id: r.id, ticketId: r.ticket_id } : null;
}

/** The link or 404 (the one answer for every kind of bad token). */
export async function requireCustomerLink(ctx: AppContext, token: string): Promise<CustomerLink> {
  const link = await findCustomerLink(ctx.db.pool, token, ctx.clock.now());
  if (!link) throw notFound('Page');
  return link;
}

/**
 * Revokes every live link of a ticket (a mail was forwarded to the wrong person, say). Admins
 * only. Later mails carry fresh links; a customer whose link stopped working can ask for new ones
 * through "find my tickets". Returns how many links were revoked.
 */
export async function revokeCustomerLinks(
  ctx: AppContext,
  actor: Actor | null,
  ticketId: string,
  meta: { source: AuditSource; requestId?: string | null },
): Promise<number> {
  requireAdmin(actor);
  assertUuid(ticketId);
  return inPgTransaction(ctx.db, { actorId: actor.id, source: meta.source, requestId: meta.requestId }, async (c) => {
    const { rows } = await c.query('SELECT 1 FROM contact_submissions WHERE id = $1', [ticketId]);
    if (!rows.length) throw notFound('Ticket');
    const { rowCount } = await c.query(
      'UPDATE customer_links SET revoked_at = $2 WHERE ticket_id = $1 AND revoked_at IS NULL',
      [ticketId, ctx.clock.now()],
    );
    return rowCount ?? 0;
  });
}

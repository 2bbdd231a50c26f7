// API tokens: opaque random strings shown once; only their sha256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import { inTransaction, type Tx, type WriteContext } from '../db/tx.js';
import type { Actor, UserRole } from './actor.js';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/**
 * A new token for the user, valid TOKEN_TTL_DAYS. Written through the audited transaction (the
 * caller's `tx` when given, else a new one with `write`, by default the user acting via the API).
 */
export async function issueToken(
  ctx: AppContext,
  userId: string,
  opts: { tx?: Tx; write?: WriteContext } = {},
): Promise<IssuedToken> {
  const token = `cd_${randomBytes(32).toString('base64url')}`;
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ctx.config.TOKEN_TTL_DAYS * 86_400_000);
  const create = (tx: Tx) =>
    tx.apiToken.create({ data: { userId, tokenHash: hashToken(token), createdAt: now, expiresAt } });
  if (opts.tx) await create(opts.tx);
  else await inTransaction(ctx.db, opts.write ?? { actorId: userId, source: 'api' }, create);
  return { token, expiresAt };
}

export interface BearerIdentity {
  actor: Actor;
  tokenId: string;
}

/** The actor behind a token, or null when it is unknown, expired, revoked or its user inactive. */
export async function resolveBearerToken(ctx: AppContext, token: string): Promise<BearerIdentity | null> {
  if (token.length < 10 || token.length > 200) return null;
  const { rows } = await ctx.db.pool.query<{
    token_id: string;
    id: string;
    email: string;
    name: string;
    role: UserRole;
  }>(
    `SELECT t.id AS token_id, u.id, u.email::text AS email, u.name, u.role
     FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.is_active`,
    [hashToken(token), ctx.clock.now()],
  );
  const row = rows[0];
  if (!row) return null;
  return { tokenId: row.token_id, actor: { id: row.id, email: row.email, name: row.name, role: row.role } };
}

export async function revokeToken(ctx: AppContext, tokenId: string, write: WriteContext): Promise<void> {
  await inTransaction(ctx.db, write, (tx) =>
    tx.apiToken.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: ctx.clock.now() } }),
  );
}

/** Revokes every live token of a user (deactivation, password change, promotion). */
export async function revokeUserTokens(tx: Tx, userId: string, now: Date): Promise<number> {
  const { count } = await tx.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
  return count;
}

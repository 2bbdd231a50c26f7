// API tokens: opaque random strings shown once; only their sha256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../context.js';
import type { Actor, UserRole } from './actor.js';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export async function issueToken(ctx: AppContext, userId: string): Promise<IssuedToken> {
  const token = `cd_${randomBytes(32).toString('base64url')}`;
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ctx.config.TOKEN_TTL_DAYS * 86_400_000);
  await ctx.db.prisma.apiToken.create({ data: { userId, tokenHash: hashToken(token), createdAt: now, expiresAt } });
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

export async function revokeToken(ctx: AppContext, tokenId: string): Promise<void> {
  await ctx.db.prisma.apiToken.updateMany({
    where: { id: tokenId, revokedAt: null },
    data: { revokedAt: ctx.clock.now() },
  });
}

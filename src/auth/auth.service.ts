// Signing in with email + password, shared by the REST token endpoint and the AdminJS login.
// Every failure looks the same from outside (one status, one message, similar timing), so the
// endpoint cannot be used to find out which emails have accounts.
import type { AppContext } from '../context.js';
import { prismaRunner } from '../db/sql.js';
import { inTransaction, type AuditSource } from '../db/tx.js';
import { AppError } from '../errors.js';
import { unauthenticated } from './access.js';
import type { Actor, UserRole } from './actor.js';
import { isPlausibleLogin, PASSWORD_MAX_LENGTH, type TokenResponse } from './auth.schema.js';
import { recordLoginSuccess, reserveLoginAttempt } from './login-throttle.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { issueToken, revokeToken } from './tokens.js';

export interface PasswordLogin {
  email: string;
  password: string;
  /** Client address, for per-IP throttling (req.ip). */
  ip: string;
}

export interface AuthMeta {
  /** 'api' for the token endpoint, 'admin' for the panel login. */
  source: AuditSource;
  requestId?: string | null;
}

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid email or password';

export const invalidCredentials = () =>
  new AppError({ code: 'invalid_credentials', status: 401, message: INVALID_CREDENTIALS_MESSAGE });

interface LoginRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  password_hash: string | null;
  is_active: boolean;
}

/**
 * reserve a throttled attempt → look up → verify → record. Resolves to the signed-in actor (any role: the
 * caller decides whether that role may use what it protects); rejects with 401
 * `invalid_credentials` or 429 `too_many_attempts`.
 */
export async function authenticateWithPassword(
  ctx: AppContext,
  login: PasswordLogin,
  meta: AuthMeta = { source: 'api' },
): Promise<Actor> {
  // Callers without the zod schema (the panel form) may pass anything; such input cannot match an
  // account and cannot be stored as a throttle key, so it is simply wrong credentials.
  const attempt = { email: login.email.trim(), ip: login.ip };
  if (!isPlausibleLogin(attempt.email, login.password)) throw invalidCredentials();
  // Counted as a failure up front (and handed back on success): see login-throttle.ts.
  const reservation = await reserveLoginAttempt(ctx, attempt, {
    actorId: null,
    source: meta.source,
    requestId: meta.requestId,
  });

  const { rows } = await ctx.db.pool.query<LoginRow>(
    'SELECT id, email::text AS email, name, role, password_hash, is_active FROM users WHERE email = $1::citext',
    [attempt.email],
  );
  const user = rows[0];
  const usable = !!user && user.is_active && !!user.password_hash;
  // Always run one argon2 verification, so an unknown or inactive account costs the same time.
  const hash = usable ? user.password_hash! : await dummyPasswordHash();
  const passwordOk = login.password.length <= PASSWORD_MAX_LENGTH && (await verifyPassword(hash, login.password));

  const write = { actorId: usable ? user.id : null, source: meta.source, requestId: meta.requestId };
  if (!usable || !passwordOk) throw invalidCredentials();
  const now = ctx.clock.now();
  await inTransaction(ctx.db, write, async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: now } });
    await recordLoginSuccess(prismaRunner(tx), attempt, reservation, now);
  });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** POST /api/v1/auth/token: password login → a new opaque Bearer token. */
export async function loginForToken(ctx: AppContext, login: PasswordLogin, meta: AuthMeta): Promise<TokenResponse> {
  const actor = await authenticateWithPassword(ctx, login, meta);
  const { token, expiresAt } = await issueToken(ctx, actor.id, {
    write: { actorId: actor.id, source: meta.source, requestId: meta.requestId },
  });
  return { token, token_type: 'Bearer', expires_at: expiresAt.toISOString() };
}

/** DELETE /api/v1/auth/token: revokes exactly the token the request was made with. */
export async function revokeCurrentToken(
  ctx: AppContext,
  actor: Actor | null | undefined,
  tokenId: string | undefined,
  meta: AuthMeta,
): Promise<void> {
  if (!actor || !tokenId) throw unauthenticated();
  await revokeToken(ctx, tokenId, { actorId: actor.id, source: meta.source, requestId: meta.requestId });
}

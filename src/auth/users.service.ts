// User management, shared by the CLI, the bootstrap and the AdminJS Users resource.
// `actor` is the signed-in user doing it (only admins may) or the explicit system actor (CLI on
// the server, start-up work: CLI_ACTOR / SYSTEM_ACTOR). null is the anonymous public and is
// refused with 401. Whatever the path, the last active admin stays.
import { Prisma, type User } from '@prisma/client';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { inTransaction, type AuditSource, type Tx } from '../db/tx.js';
import { AppError, notFound, staleEdit } from '../errors.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/input.js';
import { requireUserManager } from './access.js';
import { isSystemActor, type Principal, type UserRole } from './actor.js';
import {
  createUserSchema,
  newPasswordSchema,
  updateUserSchema,
  userRoleSchema,
  type CreateUserInput,
  type UpdateUserInput,
  type UserJson,
} from './auth.schema.js';
import { hashPassword } from './passwords.js';
import { revokeUserTokens } from './tokens.js';

export interface UserMeta {
  /** 'cli', 'admin' (panel) or 'system' (bootstrap). */
  source: AuditSource;
  requestId?: string | null;
}

/** A user without its password hash: what services hand out. */
export type UserRecord = Omit<User, 'passwordHash'> & { hasPassword: boolean };

/** Identifies a user by id or by email (case-insensitive). */
export type UserRef = { userId: string } | { email: string };

function toRecord(user: User): UserRecord {
  const { passwordHash, ...rest } = user;
  return { ...rest, hasPassword: !!passwordHash };
}

/** JSON for any interface. Picks fields one by one, so a full row passed in cannot leak its hash. */
export function toUserJson(user: UserRecord | User): UserJson {
  const hasPassword = 'hasPassword' in user ? user.hasPassword : !!user.passwordHash;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    is_active: user.isActive,
    has_password: hasPassword,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
    password_changed_at: user.passwordChangedAt?.toISOString() ?? null,
  };
}

const emailTaken = (cause?: unknown) =>
  new AppError({
    code: 'email_taken',
    status: 409,
    message: 'A user with this email already exists',
    fields: { email: ['is already in use'] },
    cause,
  });

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

// The system writes with no actor id: the audit trail shows its source ('cli', 'system') instead.
const writeContext = (actor: Principal, meta: UserMeta) => ({
  actorId: isSystemActor(actor) ? null : actor.id,
  source: meta.source,
  requestId: meta.requestId,
});

/** The user row, locked for the rest of the transaction; 404 when there is none. */
async function lockUser(tx: Tx, ref: UserRef): Promise<User> {
  let id: string | undefined;
  if ('userId' in ref) {
    if (isUuid(ref.userId)) id = ref.userId;
  } else {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE email = ${ref.email.trim()}::citext`;
    id = rows[0]?.id;
  }
  if (id) {
    await tx.$queryRaw`SELECT id FROM users WHERE id = ${id}::uuid FOR UPDATE`;
    const user = await tx.user.findUnique({ where: { id } });
    if (user) return user;
  }
  throw notFound('User');
}

/**
 * Serialises every change that can remove an admin. Without it, two admins demoting each other
 * at the same moment would each still see the other as admin and both succeed (or deadlock on
 * each other's rows); with it, the second one runs after the first has committed, and is refused.
 */
async function lockAdminSet(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('contactdesk:admin-set'))`;
}

/** Refuses a change that would leave no active admin (call after lockAdminSet). */
async function assertAdminRemains(tx: Tx, target: User, after: { role: UserRole; isActive: boolean }): Promise<void> {
  const wasActiveAdmin = target.role === 'admin' && target.isActive;
  const staysActiveAdmin = after.role === 'admin' && after.isActive;
  if (!wasActiveAdmin || staysActiveAdmin) return;
  const others = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND is_active AND id <> ${target.id}::uuid`;
  if ((others[0]?.n ?? 0) === 0) {
    throw new AppError({
      code: 'last_admin',
      status: 409,
      message: 'This is the last active admin: make another user admin first',
    });
  }
}

export async function createUserAccount(
  ctx: AppContext,
  actor: Principal | null,
  input: CreateUserInput,
  meta: UserMeta,
): Promise<UserRecord> {
  requireUserManager(actor);
  const data = parseInput(createUserSchema, input);
  const now = ctx.clock.now();
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  try {
    const user = await inTransaction(ctx.db, writeContext(actor, meta), (tx) =>
      tx.user.create({
        data: {
          email: data.email,
          name: data.name,
          role: data.role,
          passwordHash,
          passwordChangedAt: passwordHash ? now : null,
          createdAt: now,
        },
      }),
    );
    return toRecord(user);
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(err);
    throw err;
  }
}

/** Sets a new password (min 12 characters) and revokes the user's API tokens. */
export async function setUserPassword(
  ctx: AppContext,
  actor: Principal | null,
  input: UserRef & { password: string },
  meta: UserMeta,
): Promise<UserRecord> {
  const ref: UserRef = 'userId' in input ? { userId: input.userId } : { email: input.email };
  return updateUser(ctx, actor, ref, { password: input.password }, meta);
}

/** `now`, or 1 ms after `previous` when the clock has not moved past it. */
const laterThan = (previous: Date, now: Date) => new Date(Math.max(now.getTime(), previous.getTime() + 1));

/**
 * Optimistic concurrency for edit forms: `expectedUpdatedAt` is the user's updated_at as the form
 * loaded it; if the row has changed since (say another admin deactivated the user or changed the
 * role), the save is refused with 409 stale_edit instead of writing the form's old values back.
 */
export interface UserEditOptions {
  expectedUpdatedAt?: Date;
}

/** What an edit may change: the profile fields and, optionally, the password. */
export type UserChanges = UpdateUserInput & { password?: string };

/**
 * Changes name, role, active flag and/or password in one transaction, so an edit form's save is
 * all or nothing: a refused password leaves the name as it was. Deactivation and a new password
 * revoke the user's API tokens (whoever held one under the old password, perhaps the reason for
 * the reset, loses it).
 */
export async function updateUser(
  ctx: AppContext,
  actor: Principal | null,
  ref: UserRef,
  patch: UserChanges,
  meta: UserMeta,
  opts: UserEditOptions = {},
): Promise<UserRecord> {
  requireUserManager(actor);
  const { password: rawPassword, ...profile } = patch;
  const changes = parseInput(updateUserSchema, profile);
  const password =
    rawPassword === undefined
      ? undefined
      : parseInput(z.object({ password: newPasswordSchema }), { password: rawPassword }).password;
  // Hashed before the transaction: argon2 takes a while and must not hold the row lock.
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  const now = ctx.clock.now();
  const user = await inTransaction(ctx.db, writeContext(actor, meta), async (tx) => {
    if (changes.role !== undefined || changes.is_active !== undefined) await lockAdminSet(tx);
    const target = await lockUser(tx, ref);
    // Checked under the row lock, so a change committed just before ours is always seen.
    if (opts.expectedUpdatedAt && target.updatedAt.getTime() !== opts.expectedUpdatedAt.getTime()) {
      throw staleEdit('user');
    }
    const role = changes.role ?? target.role;
    const isActive = changes.is_active ?? target.isActive;
    await assertAdminRemains(tx, target, { role, isActive });
    if ((target.isActive && !isActive) || passwordHash) await revokeUserTokens(tx, target.id, now);
    return tx.user.update({
      where: { id: target.id },
      data: {
        name: changes.name,
        role,
        isActive,
        ...(passwordHash ? { passwordHash, passwordChangedAt: now } : {}),
        // updated_at is the version stale-edit checks compare, so it must move even when two
        // changes land within the same millisecond.
        updatedAt: laterThan(target.updatedAt, new Date()),
      },
    });
  });
  return toRecord(user);
}

export async function setUserRole(
  ctx: AppContext,
  actor: Principal | null,
  input: UserRef & { role: string },
  meta: UserMeta,
): Promise<UserRecord> {
  requireUserManager(actor);
  const { role } = parseInput(z.object({ role: userRoleSchema }), { role: input.role });
  const ref: UserRef = 'userId' in input ? { userId: input.userId } : { email: input.email };
  return updateUser(ctx, actor, ref, { role }, meta);
}

export async function deactivateUser(
  ctx: AppContext,
  actor: Principal | null,
  ref: UserRef,
  meta: UserMeta,
): Promise<UserRecord> {
  return updateUser(ctx, actor, ref, { is_active: false }, meta);
}

export interface UserListQuery {
  role?: UserRole;
  isActive?: boolean;
  /** Case-insensitive part of the email or name. */
  q?: string;
  page?: number;
  pageSize?: number;
}

export async function listUsers(
  ctx: AppContext,
  actor: Principal | null,
  query: UserListQuery = {},
): Promise<{ items: UserRecord[]; total: number; page: number; page_size: number; pages: number }> {
  requireUserManager(actor);
  const page = Math.max(1, Math.floor(query.page ?? 1));
  const pageSize = Math.min(100, Math.max(1, Math.floor(query.pageSize ?? 50)));
  const q = query.q?.trim();
  const where: Prisma.UserWhereInput = {
    role: query.role,
    isActive: query.isActive,
    ...(q
      ? {
          OR: [{ email: { contains: q, mode: 'insensitive' } }, { name: { contains: q, mode: 'insensitive' } }],
        }
      : {}),
  };
  const [rows, total] = await Promise.all([
    ctx.db.prisma.user.findMany({
      where,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    ctx.db.prisma.user.count({ where }),
  ]);
  return { items: rows.map(toRecord), total, page, page_size: pageSize, pages: Math.ceil(total / pageSize) };
}

/** One user by id or email, without its hash; 404 when unknown. */
export async function getUser(ctx: AppContext, actor: Principal | null, ref: UserRef): Promise<UserRecord> {
  requireUserManager(actor);
  const id = 'userId' in ref ? (isUuid(ref.userId) ? ref.userId : undefined) : await userIdByEmail(ctx, ref.email);
  const user = id ? await ctx.db.prisma.user.findUnique({ where: { id } }) : null;
  if (!user) throw notFound('User');
  return toRecord(user);
}

// Explicit ::citext: a parameter typed as text would make the comparison case-sensitive.
async function userIdByEmail(ctx: AppContext, email: string): Promise<string | undefined> {
  const { rows } = await ctx.db.pool.query<{ id: string }>('SELECT id FROM users WHERE email = $1::citext', [
    email.trim(),
  ]);
  return rows[0]?.id;
}

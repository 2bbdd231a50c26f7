// Panel sessions and sign-in. Sessions live in PostgreSQL (connect-pg-simple), the cookie is
// httpOnly + SameSite=Lax (+ Secure behind https), the idle timeout rolls with each request, an
// absolute lifetime (SESSION_MAX_HOURS) ends even a busy session, the session id is regenerated
// at login, and logout deletes the session row. The table comes from a migration
// (prisma/migrations/20261202100000_sessions), not from connect-pg-simple at run time. Sign-in uses the same
// throttled argon2 check as the API; only active moderators and admins get in, and everyone else
// sees the same failure as a wrong password.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import connectPgSimple from 'connect-pg-simple';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { isStaff, type Actor } from '../src/auth/actor.js';
import { authenticateWithPassword, INVALID_CREDENTIALS_MESSAGE } from '../src/auth/auth.service.js';
import { currentPanelActor } from '../src/auth/panel-session.js';
import type { Config } from '../src/config.js';
import type { AppContext } from '../src/context.js';
import { AppError } from '../src/errors.js';
import { actorOf, toPanelAdmin, type PanelAdmin } from './access.js';

export const SESSION_COOKIE = 'contactdesk.sid';
export const SESSION_TABLE = 'admin_sessions';
const SECRET_FILE = 'session-secret';

declare module 'express-session' {
  interface SessionData {
    adminUser?: PanelAdmin;
    /** When this session signed in (ms since epoch): a later password change ends it. */
    signedInAt?: number;
  }
}

/**
 * SESSION_SECRET when set (required in production: config.ts refuses to start without it);
 * otherwise a random secret generated once and kept in DATA_DIR/session-secret (mode 600), so
 * sessions survive restarts of a development or embedded install.
 */
export async function resolveSessionSecret(config: Config): Promise<string> {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  const file = path.resolve(config.DATA_DIR, SECRET_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 32) return stored;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return secret;
}

/**
 * The idle timeout moves the stored expiry forward on every request (rolling): an UPDATE and a
 * WAL flush per click of a moderator's working day, and per poll of the list. Within a minute of
 * this process's last push for a session the push is skipped, so the stored expiry lags by at
 * most a minute: a session may end up to a minute before its idle timeout, never after it (and
 * never after the absolute limit, which only shortens each push).
 */
const TOUCH_EVERY_MS = 60_000;
function throttleTouch(store: session.Store): void {
  const touch = store.touch?.bind(store);
  if (!touch) return;
  const last = new Map<string, number>();
  store.touch = (sid, sess, callback) => {
    const now = Date.now();
    const previous = last.get(sid);
    if (previous !== undefined && now - previous < TOUCH_EVERY_MS) return callback?.();
    if (last.size >= 10_000) for (const [key, at] of last) if (now - at >= TOUCH_EVERY_MS) last.delete(key);
    last.set(sid, now);
    touch(sid, sess, callback);
  };
}

export async function createSessionMiddleware(ctx: AppContext): Promise<RequestHandler> {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: ctx.db.pool,
    tableName: SESSION_TABLE,
    errorLog: (...args: unknown[]) => ctx.logger.warn({ args: args.map(String) }, 'session store error'),
  });
  const idleMs = Math.round(ctx.config.SESSION_IDLE_HOURS * 3_600_000);
  throttleTouch(store);
  return session({
    name: SESSION_COOKIE,
    secret: await resolveSessionSecret(ctx.config),
    store,
    resave: false,
    saveUninitialized: false,
    // Each request pushes the expiry forward: the timeout is an idle timeout.
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.config.publicUrl.startsWith('https:'),
      maxAge: idleMs,
      path: '/admin',
    },
  });
}

const regenerate = (req: Request) =>
  new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
const save = (req: Request) =>
  new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
export const destroySession = (req: Request) =>
  new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));

export type LoginOutcome =
  | { ok: true; actor: Actor }
  | { ok: false; status: 401; message: string }
  | { ok: false; status: 429; message: string; retryAfterSeconds: number };

/** "45 seconds", "3 minutes": how long the throttle still blocks, for the login page. */
export function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** The throttled password check plus the panel's role rule, with one message for every refusal. */
export async function panelSignIn(
  ctx: AppContext,
  input: { email: unknown; password: unknown; ip: string; requestId: string },
): Promise<LoginOutcome> {
  const email = typeof input.email === 'string' ? input.email : '';
  const password = typeof input.password === 'string' ? input.password : '';
  try {
    const actor = await authenticateWithPassword(
      ctx,
      { email, password, ip: input.ip },
      { source: 'admin', requestId: input.requestId },
    );
    if (!isStaff(actor)) return { ok: false, status: 401, message: INVALID_CREDENTIALS_MESSAGE };
    return { ok: true, actor };
  } catch (err) {
    if (err instanceof AppError && err.status === 429) {
      // The throttle's own Retry-After: the page and the header tell the real remaining wait.
      const retryAfterSeconds = Math.max(1, Number(err.headers?.['Retry-After']) || 1);
      return {
        ok: false,
        status: 429,
        retryAfterSeconds,
        message: `Too many sign-in attempts. Please wait ${waitText(retryAfterSeconds)} and try again.`,
      };
    }
    if (err instanceof AppError && err.status === 401) {
      return { ok: false, status: 401, message: INVALID_CREDENTIALS_MESSAGE };
    }
    throw err;
  }
}

/** Starts the signed-in session under a NEW session id (no session fixation). */
export async function startPanelSession(req: Request, actor: Actor, signedInAt: Date): Promise<void> {
  await regenerate(req);
  req.session.adminUser = toPanelAdmin(actor);
  req.session.signedInAt = signedInAt.getTime();
  await save(req);
}

/** Ends the session and sends the browser to the login page. */
async function signOut(req: Request, res: Response, loginPath: string) {
  await destroySession(req).catch(() => {});
  res.clearCookie(SESSION_COOKIE, { path: '/admin' });
  res.redirect(loginPath);
}

/**
 * Every panel request re-reads the signed-in user: a deactivated account, one whose role no
 * longer allows the panel, or one whose password changed after this session signed in (a reset
 * must lock out whoever had the old password) is signed out at its next click; a role change
 * applies at once. A session older than SESSION_MAX_HOURS ends however active it is: the idle
 * timeout alone would let a stolen cookie live for ever if it is used now and then.
 */
export function requirePanelUser(ctx: AppContext, loginPath: string): RequestHandler {
  const maxMs = Math.round(ctx.config.SESSION_MAX_HOURS * 3_600_000);
  const idleMs = Math.round(ctx.config.SESSION_IDLE_HOURS * 3_600_000);
  return async (req: Request, res: Response, next) => {
    const current = actorOf(req.session?.adminUser);
    if (!current) return res.redirect(loginPath);
    // Sessions without a sign-in time predate the absolute limit: they count as expired.
    const remainingMs = (req.session.signedInAt ?? 0) + maxMs - ctx.clock.now().getTime();
    if (remainingMs <= 0) return signOut(req, res, loginPath);
    // The cookie (and the stored row) never outlive the absolute limit either.
    req.session.cookie.maxAge = Math.min(idleMs, remainingMs);
    const fresh = await currentPanelActor(ctx, current.id, req.session.signedInAt ?? 0);
    if (!fresh) return signOut(req, res, loginPath);
    const admin = toPanelAdmin(fresh);
    const s = req.session.adminUser!;
    if (s.role !== admin.role || s.name !== admin.name || s.email !== admin.email) req.session.adminUser = admin;
    next();
  };
}

// First start: make sure someone can sign in to the panel. If no active admin exists, one is
// created from ADMIN_EMAIL / ADMIN_PASSWORD; without ADMIN_PASSWORD a strong random password is
// generated and printed once to stdout (never into the structured log, which may be shipped
// elsewhere). There is no fixed default password.
import { randomInt } from 'node:crypto';
import type { AppContext } from '../context.js';
import { inTransaction } from '../db/tx.js';
import { SYSTEM_ACTOR } from './actor.js';
import { hashPassword } from './passwords.js';
import { revokeUserTokens } from './tokens.js';

export const DEFAULT_ADMIN_EMAIL = 'admin@contactdesk.local';

export type BootstrapOutcome =
  { action: 'none' } | { action: 'created' | 'promoted'; email: string; passwordGenerated: boolean };

export interface BootstrapOptions {
  /** Where the one-time password notice goes (stdout by default). */
  print?: (text: string) => void;
}

// 24 letters and digits, ~143 bits. No '-' or '_': a password starting with '-' would be taken
// for an option when pasted after `--password`.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const generatePassword = () => Array.from({ length: 24 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

async function activeAdminExists(ctx: AppContext): Promise<boolean> {
  const { rowCount } = await ctx.db.pool.query("SELECT 1 FROM users WHERE role = 'admin' AND is_active LIMIT 1");
  return !!rowCount;
}

export async function bootstrapAdmin(ctx: AppContext, opts: BootstrapOptions = {}): Promise<BootstrapOutcome> {
  if (await activeAdminExists(ctx)) return { action: 'none' };
  const email = ctx.config.ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL;
  const passwordGenerated = !ctx.config.ADMIN_PASSWORD;
  const password = ctx.config.ADMIN_PASSWORD ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const now = ctx.clock.now();

  // Start-up work, done as the system actor: no user id, audit source 'system'.
  const outcome = await inTransaction(ctx.db, { actorId: null, source: SYSTEM_ACTOR.source }, async (tx) => {
    // Two instances starting together: the second waits here, then finds the admin made.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('contactdesk:bootstrap-admin'))`;
    const admins = await tx.$queryRaw<unknown[]>`SELECT 1 FROM users WHERE role = 'admin' AND is_active LIMIT 1`;
    if (admins.length) return { action: 'none' } as const;
    const existing = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE email = ${email}::citext`;
    const id = existing[0]?.id;
    if (!id) {
      await tx.user.create({
        data: { email, name: 'Administrator', role: 'admin', passwordHash, passwordChangedAt: now, createdAt: now },
      });
      return { action: 'created', email, passwordGenerated } as const;
    }
    // The configured admin email belongs to a deactivated or non-admin user. The operator asked
    // for that address to be the admin, so it is promoted — but with the configured (or a fresh)
    // password, and with its old tokens revoked: whatever that user could do before must not
    // silently become admin power.
    await revokeUserTokens(tx, id, now);
    await tx.user.update({
      where: { id },
      data: { role: 'admin', isActive: true, passwordHash, passwordChangedAt: now },
    });
    return { action: 'promoted', email, passwordGenerated } as const;
  });

  if (outcome.action === 'none') return outcome;
  ctx.logger.warn(
    { email, action: outcome.action, passwordGenerated },
    passwordGenerated
      ? 'no active admin: bootstrap admin account ready, its generated password is printed once on stdout'
      : 'no active admin: bootstrap admin account ready with ADMIN_PASSWORD',
  );
  if (passwordGenerated) {
    const print = opts.print ?? ((text: string) => process.stdout.write(text));
    print(
      `\n${'='.repeat(72)}\n` +
        `No active admin existed, so ContactDesk ${outcome.action === 'created' ? 'created' : 'activated'} one:\n` +
        `  email:    ${email}\n` +
        `  password: ${password}\n` +
        `This password is shown only this once. Sign in and change it:\n` +
        `  npm run cli -- users:set-password --email ${email}\n` +
        `${'='.repeat(72)}\n\n`,
    );
  }
  return outcome;
}

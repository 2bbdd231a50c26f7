// Rows a test needs, created through the real code paths where one exists.
import { randomBytes } from 'node:crypto';
import type { Actor, UserRole } from '../../src/auth/actor.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { issueToken } from '../../src/auth/tokens.js';
import type { AppContext } from '../../src/context.js';
import type { TicketCategory } from '../../src/contact/contact.schema.js';
import { submitContact } from '../../src/contact/contact.service.js';

export const DEFAULT_PASSWORD = 'correct horse battery staple';

export interface TestUser extends Actor {
  password: string;
}

// Hashing with the real parameters costs ~50 ms; tests reuse one hash for the default password.
let defaultHash: Promise<string> | undefined;

export async function createUser(
  ctx: AppContext,
  opts: { role?: UserRole; email?: string; name?: string; password?: string; isActive?: boolean } = {},
): Promise<TestUser> {
  const role = opts.role ?? 'user';
  const password = opts.password ?? DEFAULT_PASSWORD;
  const passwordHash =
    password === DEFAULT_PASSWORD
      ? await (defaultHash ??= hashPassword(DEFAULT_PASSWORD))
      : await hashPassword(password);
  const email = opts.email ?? `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const user = await ctx.db.prisma.user.create({
    data: { email, name: opts.name ?? `Test ${role}`, role, passwordHash, isActive: opts.isActive ?? true },
  });
  return { id: user.id, email: user.email, name: user.name, role: user.role, password };
}

/** A user plus a valid Bearer token for it. */
export async function createUserWithToken(ctx: AppContext, opts: Parameters<typeof createUser>[1] = {}) {
  const user = await createUser(ctx, opts);
  const { token } = await issueToken(ctx, user.id);
  return { user, token, auth: { Authorization: `Bearer ${token}` } };
}

let seq = 0;
export async function createTicket(
  ctx: AppContext,
  opts: {
    name?: string;
    email?: string;
    subject?: string;
    message?: string;
    category?: TicketCategory;
    actor?: Actor | null;
  } = {},
) {
  seq++;
  return submitContact(
    ctx,
    {
      name: opts.name ?? `Customer ${seq}`,
      email: opts.email ?? `customer${seq}@example.com`,
      subject: opts.subject ?? `Question ${seq}`,
      message: opts.message ?? `Message body ${seq}`,
      category: opts.category ?? 'general',
    },
    { actor: opts.actor ?? null, ip: '127.0.0.1', userAgent: 'factory', source: 'api' },
  );
}

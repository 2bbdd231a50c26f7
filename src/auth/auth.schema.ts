// zod schemas for users and authentication: what the token endpoint, the CLI and the admin panel
// may send, and the JSON a user is shown as (never with its password hash).
import { z } from 'zod';
import { emailAddress, singleLine } from '../contact/contact.schema.js';
import { strictKeys as strictKeysOption } from '../shared/input.js';
import { ANY_CONTROL_CHARS } from '../shared/text.js';
import { USER_ROLES } from './actor.js';

export const PASSWORD_MIN_LENGTH = 12;
// argon2 hashes any length, but megabyte "passwords" would make every login attempt expensive.
export const PASSWORD_MAX_LENGTH = 1024;

const strictKeys = strictKeysOption();

export const newPasswordSchema = z
  .string({ error: 'must be a string' })
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);

export const userRoleSchema = z.enum(USER_ROLES, { error: `must be one of: ${USER_ROLES.join(', ')}` });

// No real address holds a control character, and PostgreSQL text cannot hold NUL at all (an email
// with one would fail the account lookup with a 500). A password never reaches the database,
// but NUL is refused there too: some clients and hash tools cut a string at the first NUL.
/** False for sign-in input no account can match (the panel answers it as a wrong password). */
export const isPlausibleLogin = (email: string, password: string): boolean =>
  !ANY_CONTROL_CHARS.test(email) && !password.includes('\u0000');

/** POST /api/v1/auth/token. The password is not length-checked beyond the cap: a wrong one is just wrong. */
export const tokenRequestSchema = z.strictObject(
  {
    email: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, 'is required')
      .max(254, 'must be at most 254 characters')
      .refine((s) => !ANY_CONTROL_CHARS.test(s), 'must not contain control characters'),
    password: z
      .string({ error: 'must be a string' })
      .min(1, 'is required')
      .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
      .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters'),
  },
  strictKeys,
);
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

export const tokenResponseSchema = z.object({
  token: z.string(),
  token_type: z.literal('Bearer'),
  expires_at: z.iso.datetime(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const createUserSchema = z.strictObject(
  {
    email: emailAddress,
    name: singleLine(255),
    role: userRoleSchema,
    password: newPasswordSchema.optional(),
  },
  strictKeys,
);
export type CreateUserInput = z.input<typeof createUserSchema>;

export const updateUserSchema = z.strictObject(
  {
    name: singleLine(255).optional(),
    role: userRoleSchema.optional(),
    is_active: z.boolean({ error: 'must be true or false' }).optional(),
  },
  strictKeys,
);
export type UpdateUserInput = z.input<typeof updateUserSchema>;

/** A user as every interface shows it. There is deliberately no password or hash field. */
export const userJsonSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: userRoleSchema,
  is_active: z.boolean(),
  has_password: z.boolean(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  last_login_at: z.iso.datetime().nullable(),
  password_changed_at: z.iso.datetime().nullable(),
});
export type UserJson = z.infer<typeof userJsonSchema>;

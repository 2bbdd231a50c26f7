// The operator commands. Each one parses its own options (node:util parseArgs, strict), checks
// what it can before touching the database, then calls the same user services the admin panel
// uses, as the explicit operator actor (CLI_ACTOR, audit source 'cli').
import { parseArgs } from 'node:util';
import { CLI_ACTOR, USER_ROLES, type UserRole } from '../auth/actor.js';
import { newPasswordSchema, userRoleSchema } from '../auth/auth.schema.js';
import {
  createUserAccount,
  deactivateUser,
  listUsers,
  setUserPassword,
  setUserRole,
  toUserJson,
  updateUser,
  type UserRecord,
} from '../auth/users.service.js';
import type { AppContext } from '../context.js';
import { CliError, EXIT_USAGE } from './errors.js';
import { readPassword } from './password-input.js';

export interface CliIo {
  out: (line: string) => void;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

interface Command {
  summary: string;
  usage: string;
  options: OptionSpec;
  required: string[];
  /** Reads/validates input that needs no database (password prompt, role name). */
  prepare?: (values: Values) => Promise<Values>;
  run: (ctx: AppContext, values: Values, io: CliIo) => Promise<void>;
}

type Values = Record<string, string | boolean | undefined>;

const META = { source: CLI_ACTOR.source } as const;
const str = (v: Values, k: string) => v[k] as string;

function checkRole(values: Values): Values {
  const parsed = userRoleSchema.safeParse(values.role);
  if (!parsed.success) {
    throw new CliError(`Unknown role "${String(values.role)}": use one of ${USER_ROLES.join(', ')}`, EXIT_USAGE);
  }
  return values;
}

/** The password, checked before any database work so a typo fails fast. */
async function passwordFrom(values: Values): Promise<string> {
  const password = await readPassword(values.password as string | undefined);
  const parsed = newPasswordSchema.safeParse(password);
  if (!parsed.success) throw new CliError(`Invalid input:\n  password: ${parsed.error.issues[0]?.message}`, EXIT_USAGE);
  return password;
}

function printUser(io: CliIo, values: Values, verb: string, user: UserRecord) {
  if (values.json) io.out(JSON.stringify(toUserJson(user)));
  else io.out(`${verb} ${user.email} (role ${user.role}${user.isActive ? '' : ', inactive'}, id ${user.id})`);
}

export const COMMANDS: Record<string, Command> = {
  'users:create': {
    summary: 'Create a user',
    usage: 'users:create --email E --name N --role user|moderator|admin [--password P] [--json]',
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      json: { type: 'boolean' },
    },
    required: ['email', 'name', 'role'],
    prepare: async (v) => ({ ...checkRole(v), password: await passwordFrom(v) }),
    run: async (ctx, v, io) => {
      const user = await createUserAccount(
        ctx,
        CLI_ACTOR,
        {
          email: str(v, 'email'),
          name: str(v, 'name'),
          role: str(v, 'role') as UserRole,
          password: str(v, 'password'),
        },
        META,
      );
      printUser(io, v, 'Created', user);
    },
  },
  'users:set-password': {
    summary: "Set a user's password (revokes their API tokens)",
    usage: 'users:set-password --email E [--password P]',
    options: { email: { type: 'string' }, password: { type: 'string' }, json: { type: 'boolean' } },
    required: ['email'],
    prepare: async (v) => ({ ...v, password: await passwordFrom(v) }),
    run: async (ctx, v, io) => {
      const user = await setUserPassword(
        ctx,
        CLI_ACTOR,
        { email: str(v, 'email'), password: str(v, 'password') },
        META,
      );
      printUser(io, v, 'Password changed for', user);
    },
  },
  'users:set-role': {
    summary: "Change a user's role",
    usage: 'users:set-role --email E --role user|moderator|admin',
    options: { email: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean' } },
    required: ['email', 'role'],
    prepare: async (v) => checkRole(v),
    run: async (ctx, v, io) => {
      const user = await setUserRole(ctx, CLI_ACTOR, { email: str(v, 'email'), role: str(v, 'role') }, META);
      printUser(io, v, 'Updated', user);
    },
  },
  'users:deactivate': {
    summary: 'Deactivate a user (cannot sign in; API tokens revoked)',
    usage: 'users:deactivate --email E',
    options: { email: { type: 'string' }, json: { type: 'boolean' } },
    required: ['email'],
    run: async (ctx, v, io) => {
      const user = await deactivateUser(ctx, CLI_ACTOR, { email: str(v, 'email') }, META);
      printUser(io, v, 'Deactivated', user);
    },
  },
  'users:activate': {
    summary: 'Re-activate a deactivated user',
    usage: 'users:activate --email E',
    options: { email: { type: 'string' }, json: { type: 'boolean' } },
    required: ['email'],
    run: async (ctx, v, io) => {
      const user = await updateUser(ctx, CLI_ACTOR, { email: str(v, 'email') }, { is_active: true }, META);
      printUser(io, v, 'Activated', user);
    },
  },
  'users:list': {
    summary: 'List users (first 100)',
    usage: 'users:list [--json]',
    options: { json: { type: 'boolean' } },
    required: [],
    run: async (ctx, v, io) => {
      const { items, total } = await listUsers(ctx, CLI_ACTOR, { pageSize: 100 });
      if (v.json) return io.out(JSON.stringify(items.map(toUserJson)));
      for (const u of items) io.out(`${u.id}  ${u.role.padEnd(9)} ${u.isActive ? 'active  ' : 'inactive'}  ${u.email}`);
      io.out(`${total} user(s)`);
    },
  },
};

export function helpText(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return [
    'Usage: npm run cli -- <command> [options]',
    '',
    'Commands:',
    ...lines,
    '  help',
    '      Show this text',
    '',
    'Without --password, the password is prompted for (twice), or read from piped stdin one line per',
    'prompt: the first line is the password, an optional second line must repeat it. A password',
    'cannot contain a line break.',
    'Exit codes: 0 ok, 1 unexpected failure, 2 invalid input, 3 user not found, 4 refused (email taken, last admin).',
  ].join('\n');
}

export interface ParsedCommand {
  name: string;
  command: Command;
  values: Values;
}

/** Command name + options, validated without a database. Throws CliError (exit 2) on bad usage. */
export async function parseCommandLine(argv: string[]): Promise<ParsedCommand | 'help'> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') return 'help';
  const command = COMMANDS[name];
  if (!command) throw new CliError(`Unknown command "${name}". Run "npm run cli -- help" for the list.`, EXIT_USAGE);
  let values: Values;
  try {
    ({ values } = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nUsage: ${command.usage}`, EXIT_USAGE);
  }
  const missing = command.required.filter((k) => typeof values[k] !== 'string' || !(values[k] as string).trim());
  if (missing.length) {
    throw new CliError(`Missing ${missing.map((m) => `--${m}`).join(', ')}\nUsage: ${command.usage}`, EXIT_USAGE);
  }
  if (command.prepare) values = await command.prepare(values);
  return { name, command, values };
}

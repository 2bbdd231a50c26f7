// The Users resource's reads, through the users service: it hands out UserRecords, which have
// no password hash at all, so the panel never even loads one.
import type { ActionContext } from 'adminjs';
import { USER_ROLES, type UserRole } from '../../src/auth/actor.js';
import { getUser, listUsers, type UserRecord } from '../../src/auth/users.service.js';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { actorOf } from '../access.js';
import { ServiceResource, type PropertySpec } from './service-resource.js';

export const USER_RESOURCE_ID = 'users';

const USER_PROPERTIES: PropertySpec[] = [
  { path: 'id', type: 'uuid', isId: true },
  { path: 'email' },
  { path: 'name' },
  { path: 'role', values: USER_ROLES },
  { path: 'isActive', type: 'boolean' },
  { path: 'hasPassword', type: 'boolean' },
  { path: 'lastLoginAt', type: 'datetime' },
  { path: 'passwordChangedAt', type: 'datetime' },
  { path: 'createdAt', type: 'datetime' },
  { path: 'updatedAt', type: 'datetime' },
  // Virtual: typed in the new/edit forms, hashed by the users service, never read back.
  { path: 'password', type: 'password' },
  // Virtual: the list's search box (email or name).
  { path: 'q' },
];

export function userParams(u: UserRecord): Record<string, unknown> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    isActive: u.isActive,
    hasPassword: u.hasPassword,
    lastLoginAt: u.lastLoginAt,
    passwordChangedAt: u.passwordChangedAt,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

export function createUserResource(ctx: AppContext): ServiceResource {
  const actor = (context: ActionContext) => actorOf(context.currentAdmin);
  const query = (filter: { get(path: string): { value: unknown } | null | undefined } | undefined) => {
    const value = (path: string) => {
      const v = filter?.get(path)?.value;
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const role = value('role');
    const active = value('isActive');
    return {
      role: USER_ROLES.includes(role as UserRole) ? (role as UserRole) : undefined,
      isActive: active === undefined ? undefined : active === 'true',
      q: value('q') ?? value('email') ?? value('name'),
    };
  };
  const one = async (id: string, context: ActionContext) => {
    try {
      return userParams(await getUser(ctx, actor(context), { userId: id }));
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null;
      throw err;
    }
  };
  return new ServiceResource(USER_RESOURCE_ID, USER_PROPERTIES, {
    find: async (filter, params, context) => {
      const pageSize = Math.min(Math.max(params.limit, 1), 100);
      const page = await listUsers(ctx, actor(context), {
        ...query(filter),
        page: Math.floor(params.offset / pageSize) + 1,
        pageSize,
      });
      return page.items.map(userParams);
    },
    count: async (filter, context) => (await listUsers(ctx, actor(context), { ...query(filter), pageSize: 1 })).total,
    findOne: one,
    findMany: async (ids, context) =>
      (await Promise.all(ids.map((id) => one(id, context)))).filter((r): r is Record<string, unknown> => r !== null),
  });
}

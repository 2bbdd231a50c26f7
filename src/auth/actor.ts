// Who is acting. Service functions take an Actor (or null for the anonymous public) and decide
// what that actor may do; handlers never do. The rules themselves live in access.ts.
export const USER_ROLES = ['user', 'moderator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface Actor {
  id: string;
  email: string;
  name: string;
  role: UserRole;
}

/**
 * Work no signed-in user does: the operator CLI on the server, start-up tasks. It is always passed
 * explicitly — a missing actor (null) is the anonymous public and is never trusted.
 */
export interface SystemActor {
  kind: 'system';
  /** The audit source its writes are recorded under. */
  source: 'cli' | 'system';
}

export const CLI_ACTOR: SystemActor = Object.freeze({ kind: 'system', source: 'cli' });
export const SYSTEM_ACTOR: SystemActor = Object.freeze({ kind: 'system', source: 'system' });

/** Anyone a service may act for: a user or the system. */
export type Principal = Actor | SystemActor;

export const isSystemActor = (actor: Principal | null | undefined): actor is SystemActor =>
  !!actor && 'kind' in actor && actor.kind === 'system';

export const isStaff = (actor: Actor | null | undefined): actor is Actor =>
  !!actor && (actor.role === 'moderator' || actor.role === 'admin');
export const isAdmin = (actor: Actor | null | undefined): actor is Actor => !!actor && actor.role === 'admin';

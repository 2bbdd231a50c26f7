// Who is acting. Service functions take an Actor (or null for the anonymous public) and decide
// what that actor may do; handlers never do.
export const USER_ROLES = ['user', 'moderator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface Actor {
  id: string;
  email: string;
  name: string;
  role: UserRole;
}

export const isStaff = (actor: Actor | null | undefined): actor is Actor =>
  !!actor && (actor.role === 'moderator' || actor.role === 'admin');
export const isAdmin = (actor: Actor | null | undefined): actor is Actor => !!actor && actor.role === 'admin';

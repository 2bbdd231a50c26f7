// The access rules, once. Services, the REST middleware and the panel all ask these functions;
// nothing else decides who may do what. The errors are plain AppErrors: an HTTP entry point may
// decorate them (the REST API adds its WWW-Authenticate challenge), a service never does.
import { AppError } from '../errors.js';
import { isAdmin, isStaff, isSystemActor, type Actor, type Principal } from './actor.js';

export { isAdmin as canAdmin, isStaff as canStaff };

export const unauthenticated = (message = 'Authentication required') =>
  new AppError({ code: 'unauthenticated', status: 401, message });

const forbidden = (message: string) => new AppError({ code: 'forbidden', status: 403, message });

/** 401 for nobody, 403 for a user without the moderator or admin role. */
export function requireStaff(actor: Actor | null | undefined): asserts actor is Actor {
  if (!actor) throw unauthenticated();
  if (!isStaff(actor)) throw forbidden('Moderator or admin role required');
}

/** 401 for nobody, 403 for anyone but an admin. */
export function requireAdmin(actor: Actor | null | undefined): asserts actor is Actor {
  if (!actor) throw unauthenticated();
  if (!isAdmin(actor)) throw forbidden('Admin role required');
}

/** User management: admins, and the system (CLI, bootstrap). Nobody (null) gets 401. */
export function requireUserManager(actor: Principal | null | undefined): asserts actor is Principal {
  if (!actor) throw unauthenticated();
  if (!isSystemActor(actor) && !isAdmin(actor)) throw forbidden('Only admins may manage users');
}

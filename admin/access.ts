// Who may do what in the panel. Every action's `isAccessible` uses these predicates, so the rule is
// enforced on the API route as well as in the UI (`isVisible` only hides buttons).
import type { ActionContext, ActionRequest, CurrentAdmin } from 'adminjs';
import type { Actor, UserRole } from '../src/auth/actor.js';
import { canAdmin, canStaff } from '../src/auth/access.js';
import { USER_ROLES } from '../src/auth/actor.js';
import type { ServiceMeta } from '../src/contact/contact.service.js';

/** What the session keeps about the logged-in user (AdminJS calls it `currentAdmin`). */
export interface PanelAdmin extends CurrentAdmin {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  title: string;
}

export function toPanelAdmin(actor: Actor): PanelAdmin {
  return { id: actor.id, email: actor.email, name: actor.name, role: actor.role, title: actor.name };
}

/** The service-layer Actor for the current panel user, or null when nobody is logged in. */
export function actorOf(currentAdmin: CurrentAdmin | undefined | null): Actor | null {
  if (!currentAdmin) return null;
  const { id, email, name, role } = currentAdmin as Partial<PanelAdmin>;
  if (typeof id !== 'string' || typeof email !== 'string') return null;
  if (!USER_ROLES.includes(role as UserRole)) return null;
  return { id, email, name: String(name ?? ''), role: role as UserRole };
}

// The rules are src/auth/access.ts's; these only translate the panel's session user first.
export const isStaffAdmin = (currentAdmin?: CurrentAdmin | null): boolean => canStaff(actorOf(currentAdmin));

export const isAdminAdmin = (currentAdmin?: CurrentAdmin | null): boolean => canAdmin(actorOf(currentAdmin));

/** `isAccessible` guards in the shape AdminJS calls them with. */
export const staffOnly = ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) => isStaffAdmin(currentAdmin);
export const adminOnly = ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) => isAdminAdmin(currentAdmin);
export const nobody = () => false;

/** An action only admins see and call. */
export const ADMINS = { isAccessible: adminOnly, isVisible: adminOnly };
/** An action nobody sees or calls. */
export const CLOSED = { isAccessible: nobody, isVisible: false };
/** AdminJS's own writing actions, closed: such a resource is written only by its service actions. */
export const NO_WRITES = { new: CLOSED, edit: CLOSED, delete: CLOSED, bulkDelete: CLOSED };

/** Audit metadata for every service call made from the panel. */
export function panelMeta(request: ActionRequest): ServiceMeta {
  const requestId = (request as ActionRequest & { id?: unknown }).id;
  return { source: 'admin', requestId: typeof requestId === 'string' ? requestId : null };
}

/** The acting user for a handler; AdminJS has already checked `isAccessible` by now. */
export function requireActor(context: ActionContext): Actor {
  const actor = actorOf(context.currentAdmin);
  if (!actor) throw new Error('No logged-in panel user in the action context');
  return actor;
}

// The Users resource's actions, admins only, each calling the users service (argon2 hashing,
// last-admin protection, token revocation and the audit context live there). `secretsStripped`
// runs after every action: no response carries a password or a hash, whatever a read returned.
import type { Action, ActionContext, ActionRequest, ActionResponse, After, RecordJSON } from 'adminjs';
import {
  createUserAccount,
  deactivateUser,
  updateUser,
  type UserChanges,
  type UserRecord,
} from '../../src/auth/users.service.js';
import type { UserRole } from '../../src/auth/actor.js';
import type { AppContext } from '../../src/context.js';
import { AppError } from '../../src/errors.js';
import { adminOnly, isAdminAdmin, nobody, panelMeta, requireActor } from '../access.js';
import { Components } from '../components.js';
import { userParams } from '../resources/user-reads.js';
import { formLoadedUpdatedAt, payloadString, recordErrorResponse, shownRecord } from './responses.js';

const SECRET_KEY = /pass(word)?_?hash|^password$|password\./i;

function stripRecord(record: RecordJSON | undefined): void {
  if (!record) return;
  for (const key of Object.keys(record.params ?? {})) if (SECRET_KEY.test(key)) delete record.params[key];
  for (const populated of Object.values(record.populated ?? {})) stripRecord(populated as RecordJSON | undefined);
}

/** `after` hook for every Users action. */
export const secretsStripped: After<ActionResponse> = async (response) => {
  stripRecord(response.record as RecordJSON | undefined);
  for (const r of (response.records as RecordJSON[] | undefined) ?? []) stripRecord(r);
  return response;
};

const bool = (v: string | undefined) => (v === undefined ? undefined : v === 'true');

/** The form's new password, if one was typed; the service checks it (fields.password on failure). */
const passwordFrom = (request: ActionRequest): string | undefined =>
  payloadString(request.payload, 'password') || undefined;

const saved = (context: ActionContext, user: UserRecord, message: string): ActionResponse =>
  shownRecord(context, user.id, userParams(user), { message, type: 'success' });

export function userActions(ctx: AppContext): Record<string, Partial<Action<ActionResponse>>> {
  const adminAction = { isAccessible: adminOnly, isVisible: adminOnly, after: secretsStripped };
  return {
    list: { ...adminAction },
    show: { ...adminAction },
    search: { ...adminAction },
    new: {
      ...adminAction,
      handler: async (request, _response, context) => {
        if (request.method !== 'post') return {};
        try {
          const user = await createUserAccount(
            ctx,
            requireActor(context),
            {
              email: payloadString(request.payload, 'email') ?? '',
              name: payloadString(request.payload, 'name') ?? '',
              role: (payloadString(request.payload, 'role') ?? 'moderator') as UserRole,
              password: passwordFrom(request),
            },
            panelMeta(request),
          );
          return saved(context, user, `User ${user.email} created`);
        } catch (err) {
          return recordErrorResponse(err, { ...context, record: context.resource.build(request.payload ?? {}) });
        }
      },
    },
    edit: {
      ...adminAction,
      handler: async (request, _response, context) => {
        const { record, currentAdmin } = context;
        if (!record) return {};
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        try {
          const actor = requireActor(context);
          const password = passwordFrom(request);
          const current = record.params;
          const patch: UserChanges = {};
          const name = payloadString(request.payload, 'name');
          const role = payloadString(request.payload, 'role');
          const isActive = bool(payloadString(request.payload, 'isActive'));
          const email = payloadString(request.payload, 'email');
          if (email !== undefined && email.trim().toLowerCase() !== String(current.email).toLowerCase()) {
            throw new AppError({
              code: 'validation_error',
              status: 400,
              message: 'The email is the login and cannot be changed: create a new user instead',
              fields: { email: ['cannot be changed'] },
            });
          }
          if (name !== undefined && name !== current.name) patch.name = name;
          if (role !== undefined && role !== current.role) patch.role = role as UserRole;
          if (isActive !== undefined && isActive !== current.isActive) patch.is_active = isActive;
          const ref = { userId: String(record.id()) };
          // The form re-sends every value it loaded: without this check a form opened before
          // another admin deactivated the user or changed the role would undo that change.
          const expectedUpdatedAt = formLoadedUpdatedAt(request.payload);
          if (password) patch.password = password;
          if (!Object.keys(patch).length) {
            return { record: record.toJSON(currentAdmin), notice: { message: 'Nothing changed', type: 'success' } };
          }
          // Profile and password in one service call, one transaction: all of it is saved or none.
          const user = await updateUser(ctx, actor, ref, patch, panelMeta(request), { expectedUpdatedAt });
          return saved(context, user, `User ${user.email} saved${password ? ' (new password set)' : ''}`);
        } catch (err) {
          return recordErrorResponse(err, context);
        }
      },
    },
    deactivate: {
      ...adminAction,
      name: 'deactivate',
      actionType: 'record',
      icon: 'UserX',
      component: Components.RecordActionForm,
      showInDrawer: true,
      custom: { description: 'Deactivate this user: they can no longer sign in and their API tokens are revoked.' },
      isVisible: ({ currentAdmin, record }) => isAdminAdmin(currentAdmin) && record?.params.isActive !== false,
      handler: async (request, _response, context) => {
        const { record, currentAdmin } = context;
        if (!record) return {};
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        try {
          const user = await deactivateUser(
            ctx,
            requireActor(context),
            { userId: String(record.id()) },
            panelMeta(request),
          );
          return saved(context, user, `User ${user.email} deactivated`);
        } catch (err) {
          return recordErrorResponse(err, context);
        }
      },
    },
    // Accounts are deactivated, never deleted: their tickets and audit events keep their author.
    delete: { isAccessible: nobody, isVisible: false },
    bulkDelete: { isAccessible: nobody, isVisible: false },
  };
}

// The Users resource: admins only (every action's isAccessible, enforced on the API too).
import type { ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { userActions } from '../actions/user.actions.js';
import { createUserResource } from './user-reads.js';

export function userResource(ctx: AppContext): ResourceWithOptions {
  return {
    resource: createUserResource(ctx),
    options: {
      navigation: { name: 'Administration', icon: 'Settings' },
      titleProperty: 'email',
      listProperties: ['email', 'name', 'role', 'isActive', 'lastLoginAt', 'createdAt'],
      showProperties: [
        'email',
        'name',
        'role',
        'isActive',
        'hasPassword',
        'lastLoginAt',
        'passwordChangedAt',
        'createdAt',
        'updatedAt',
      ],
      editProperties: ['email', 'name', 'role', 'isActive', 'password'],
      filterProperties: ['q', 'role', 'isActive'],
      properties: {
        id: { isVisible: false },
        // Email is the login: set at creation, shown afterwards (the service has no email change).
        email: { isVisible: { list: true, show: true, edit: true, filter: false }, isDisabled: false },
        password: {
          type: 'password',
          isVisible: { list: false, show: false, edit: true, filter: false },
          description: 'At least 12 characters. Leave empty to keep the current password.',
        },
        q: { isVisible: { list: false, show: false, edit: false, filter: true } },
      },
      actions: userActions(ctx),
    },
  };
}

// Builds the AdminJS instance: resources, dashboard, branding, locale and components. Imported
// only after paths.ts has set AdminJS's environment (see index.ts).
import { AdminJS, type AdminJSOptions, type ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../src/context.js';
import { componentLoader, Components } from './components.js';
import { dashboardHandler } from './dashboard.js';
import { locale } from './locale.js';
import { contactSubmissionResource } from './resources/contact-submission.resource.js';
import { userResource } from './resources/user.resource.js';

export const ADMIN_ROOT = '/admin';

/** Options that shape the component bundle: the bundle script and the server must agree on them. */
export function bundleOptions(): Pick<AdminJSOptions, 'componentLoader' | 'rootPath' | 'env'> {
  return { componentLoader, rootPath: ADMIN_ROOT, env: {} };
}

/** Extra resources other features register (the audit log, once it exists). */
async function optionalResources(ctx: AppContext): Promise<ResourceWithOptions[]> {
  try {
    // A variable path: the audit feature's file may not exist yet in this tree.
    const auditLogModule = './resources/audit-log.resource.js';
    const mod = (await import(auditLogModule)) as Record<string, unknown>;
    const factory = Object.values(mod).find(
      (v): v is (c: AppContext) => ResourceWithOptions | Promise<ResourceWithOptions> => typeof v === 'function',
    );
    return factory ? [await factory(ctx)] : [];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return [];
    throw err;
  }
}

export async function createAdmin(ctx: AppContext): Promise<AdminJS> {
  return new AdminJS({
    ...bundleOptions(),
    resources: [contactSubmissionResource(ctx), userResource(ctx), ...(await optionalResources(ctx))],
    dashboard: { component: Components.Dashboard, handler: dashboardHandler(ctx) },
    branding: {
      companyName: 'ContactDesk',
      withMadeWithLove: false,
      logo: false,
    },
    locale,
    settings: { defaultPerPage: 20 },
  });
}

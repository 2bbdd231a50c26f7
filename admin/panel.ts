// Builds the AdminJS instance: resources, dashboard, branding, locale and components. Imported
// only after paths.ts has set AdminJS's environment (see index.ts).
import { AdminJS, type AdminJSOptions } from 'adminjs';
import type { AppContext } from '../src/context.js';
import { ADMIN_ROOT_PATH } from '../src/shared/panel-links.js';
import { componentLoader, Components } from './components.js';
import { dashboardHandler } from './dashboard.js';
import { profilePageHandler } from './profile-page.js';
import { locale } from './locale.js';
import { createAuditLogResource } from './resources/audit-log.resource.js';
import { privacyResource } from './resources/privacy.resource.js';
import { contactSubmissionResource } from './resources/contact-submission.resource.js';
import { userResource } from './resources/user.resource.js';
import { cannedReplyResource } from './resources/canned-reply.resource.js';
import { tagResource } from './resources/tag.resource.js';
import { webhookEndpointResource } from './resources/webhook.resource.js';
import { webhookDeliveryResource } from './resources/webhook-delivery.resource.js';
import { inboundMailResource } from './resources/inbound-mail.resource.js';

/** Options that shape the component bundle: the bundle script and the server must agree on them. */
export function bundleOptions(): Pick<AdminJSOptions, 'componentLoader' | 'rootPath' | 'env'> {
  return { componentLoader, rootPath: ADMIN_ROOT_PATH, env: {} };
}

export async function createAdmin(ctx: AppContext): Promise<AdminJS> {
  return new AdminJS({
    ...bundleOptions(),
    resources: [
      contactSubmissionResource(ctx),
      cannedReplyResource(ctx),
      userResource(ctx),
      tagResource(ctx),
      webhookEndpointResource(ctx),
      webhookDeliveryResource(ctx),
      inboundMailResource(ctx),
      createAuditLogResource(ctx),
      privacyResource(ctx),
    ],
    dashboard: { component: Components.Dashboard, handler: dashboardHandler(ctx) },
    // The signed-in staff member's own settings (the morning digest opt-out).
    pages: { profile: { component: Components.ProfilePage, handler: profilePageHandler(ctx), icon: 'User' } },
    branding: {
      companyName: 'ContactDesk',
      withMadeWithLove: false,
      logo: false,
      // AdminJS's 300 px sidebar holds one menu group and a profile link here: the width goes to
      // the ticket list's subject column and the workspace (judged at 1440×900).
      theme: { sizes: { sidebarWidth: '232px' } },
    },
    locale,
    settings: { defaultPerPage: 20 },
  });
}

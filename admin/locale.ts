// Labels in plain words: what moderators read instead of column names.
import type { LocaleTranslations } from 'adminjs';
import { fields } from '../src/contact/ticket.shape.js';
import { panelPath } from './resources/ticket-filters.js';

/**
 * Enum values in words, per ticket field. AdminJS does not translate enum values through flat
 * locale keys (`status.in_progress` is read as a path under the `status` label, and not found):
 * the resource hands them to AdminJS as each property's `availableValues` labels instead
 * (contact-submission.resource.ts), so lists, badges, forms and filter selects all show these.
 */
export const TICKET_VALUE_LABELS: Record<string, Record<string, string>> = {
  status: { pending: 'Pending', in_progress: 'In progress', resolved: 'Resolved', archived: 'Archived' },
  priority: { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' },
  category: {
    general: 'General',
    bug: 'Bug',
    feature: 'Feature request',
    abuse: 'Abuse',
    data: 'Data request',
    account: 'Account',
    other: 'Other',
  },
  channel: { web: 'Web form', email: 'Email' },
  language: { en: 'English', de: 'German', fr: 'French', es: 'Spanish', ar: 'Arabic', he: 'Hebrew' },
};

/** A value's label; an undeclared one shows as words rather than snake_case. */
export const valueLabel = (field: string, value: string): string =>
  TICKET_VALUE_LABELS[field]?.[value] ?? value.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/**
 * A ticket property's label is its field's (src/contact/ticket.fields.ts: declared once), plus the
 * panel's own inputs: the search box, the view picker, the emails list, the tag filter.
 */
const ticketProperties = {
  ...Object.fromEntries(fields.map((f) => [panelPath(f), f.label])),
  q: 'Search',
  view: 'View',
  emails: 'Emails sent',
  tags: 'Tags (separated by commas)',
  tagsMode: 'Tags match',
};

const userProperties = {
  email: 'Email',
  name: 'Name',
  role: 'Role',
  isActive: 'Active',
  hasPassword: 'Has a password',
  lastLoginAt: 'Last sign-in',
  passwordChangedAt: 'Password changed at',
  createdAt: 'Created at',
  updatedAt: 'Last updated',
  password: 'New password',
  q: 'Search (email or name)',
  'role.user': 'User',
  'role.moderator': 'Moderator',
  'role.admin': 'Admin',
};

const en: Partial<LocaleTranslations> = {
  labels: {
    tickets: 'Tickets',
    users: 'Users',
    navigation: 'Menu',
    dashboard: 'Dashboard',
    tags: 'Tags',
    'canned-replies': 'Canned replies',
    webhook_endpoints: 'Webhooks',
    webhook_deliveries: 'Webhook deliveries',
    inbound_mails: 'Inbound mail',
  },
  actions: {
    assignToMe: 'Assign to me',
    resolve: 'Resolve',
    reopen: 'Reopen',
    archive: 'Archive',
    restore: 'Restore',
    bulkAssignToMe: 'Assign to me',
    bulkResolve: 'Resolve',
    bulkArchive: 'Archive',
    bulkRestore: 'Restore',
    bulkSetPriority: 'Set priority',
    exportCsv: 'Export CSV',
    history: 'History',
    deactivate: 'Deactivate',
    bulkTag: 'Tag…',
    merge: 'Merge into…',
    rotateSecret: 'Rotate secret',
    deliveries: 'Delivery log',
    resend: 'Resend',
    retry: 'Retry',
  },
  pages: {
    profile: 'My profile',
  },
  messages: {
    invalidCredentials: 'Invalid email or password',
    loginWelcome: 'ContactDesk moderator panel',
  },
  components: {
    Login: {
      welcomeHeader: 'ContactDesk',
      welcomeMessage: 'Sign in with your moderator or admin account.',
      properties: { email: 'Email', password: 'Password' },
      loginButton: 'Log in',
    },
  },
  resources: {
    // The list page's title is the resource's name, not the action's ("List").
    tickets: { properties: ticketProperties, actions: { list: 'Tickets' } },
    users: { properties: userProperties },
    tags: { properties: { name: 'Name', ticketCount: 'Tickets', createdAt: 'Created at' } },
    inbound_mails: {
      actions: { list: 'Inbound mail' },
      properties: {
        receivedAt: 'Received',
        status: 'Status',
        outcome: 'Outcome',
        channel: 'Way in',
        envelopeFrom: 'From (envelope)',
        messageId: 'Message-ID',
        size: 'Size (bytes)',
        attempts: 'Attempts',
        error: 'Error',
        ticketNumber: 'Ticket',
        processedAt: 'Processed',
      },
    },
    'canned-replies': {
      properties: {
        name: 'Name',
        body: 'Text (with placeholders)',
        scope: 'Shared or personal',
        usageCount: 'Times used',
        lastUsedAt: 'Last used',
        createdAt: 'Created at',
        updatedAt: 'Last updated',
      },
    },
  },
};

export const locale = { language: 'en', availableLanguages: ['en'], translations: { en } };

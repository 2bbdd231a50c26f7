// Labels in plain words: what moderators read instead of column names.
import type { LocaleTranslations } from 'adminjs';

const ticketProperties = {
  id: 'Id',
  ticketNumber: 'Ticket number',
  name: 'Name',
  email: 'Email',
  subject: 'Subject',
  message: 'Message',
  category: 'Category',
  status: 'Status',
  assignedToId: 'Assigned to',
  createdAt: 'Created at',
  updatedAt: 'Last updated',
  resolvedAt: 'Resolved at',
  resolvedByName: 'Resolved by',
  adminNotes: 'Notes',
  resolutionNotes: 'Resolution notes',
  submittedBy: 'Submitted by (account)',
  ipAddress: 'IP address',
  userAgent: 'Browser',
  q: 'Search (ticket number, name, email, subject)',
  emails: 'Emails sent',
  'status.pending': 'Pending',
  'status.in_progress': 'In progress',
  'status.resolved': 'Resolved',
  'status.archived': 'Archived',
  'category.general': 'General',
  'category.bug': 'Bug',
  'category.feature': 'Feature request',
  'category.abuse': 'Abuse',
  'category.data': 'Data request',
  'category.account': 'Account',
  'category.other': 'Other',
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
  labels: { tickets: 'Tickets', users: 'Users', navigation: 'Menu', dashboard: 'Dashboard' },
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
    exportCsv: 'Export CSV',
    history: 'History',
    deactivate: 'Deactivate',
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
    tickets: { properties: ticketProperties },
    users: { properties: userProperties },
  },
};

export const locale = { language: 'en', availableLanguages: ['en'], translations: { en } };

// Every custom React component of the panel, registered in one place. The bundle script
// (scripts/bundle-admin.ts) and the server use this same loader, so the component ids in the
// pre-built bundle always match the ones the resources refer to.
import path from 'node:path';
import { ComponentLoader } from 'adminjs';
import { ADMIN_COMPONENTS_DIR } from './paths.js';

export const componentLoader = new ComponentLoader();

const add = (name: string) => componentLoader.add(name, path.join(ADMIN_COMPONENTS_DIR, `${name}.tsx`));

export const Components = {
  Dashboard: add('Dashboard'),
  StatusBadge: add('StatusBadge'),
  Assignee: add('Assignee'),
  AssigneeSelect: add('AssigneeSelect'),
  RecordActionForm: add('RecordActionForm'),
  BulkActionForm: add('BulkActionForm'),
  EmailsSent: add('EmailsSent'),
  ExportCsv: add('ExportCsv'),
  PreText: add('PreText'),
  /** A ticket id as a link to that ticket ("Follows up ticket"). */
  TicketLink: add('TicketLink'),
  /** The audit trail's timeline (History action on a ticket). */
  TicketHistory: add('TicketHistory'),
  /** A ticket's show page: thread, reply box, presence, ticket facts (its parts: Workspace*.tsx). */
  TicketWorkspace: add('TicketWorkspace'),
  /** The Tags resource's "Merge into…" form (admins). */
  TagMergeForm: add('TagMergeForm'),
  /** "My profile": the morning-digest opt-out (admin/profile-page.ts). */
  ProfilePage: add('ProfilePage'),
  /** The ticket list: search box, saved views with counts, new-ticket bar, keyboard. */
  TicketList: add('TicketList'),
  /** List cells: subject with a message preview, requester, a date as its age, the next SLA due. */
  SubjectCell: add('SubjectCell'),
  RequesterCell: add('RequesterCell'),
  TimeCell: add('TimeCell'),
  SlaDueCell: add('SlaDueCell'),
  /** Administration → Privacy: export or erase one person (admin/resources/privacy.resource.ts). */
  PrivacyRequest: add('PrivacyRequest'),
};

// AdminJS's user menu logs out with a GET; ours posts (see components/LoggedIn.tsx).
componentLoader.override('LoggedIn', path.join(ADMIN_COMPONENTS_DIR, 'LoggedIn.tsx'));

// The ticket's fields, each declared ONCE. Everything that shows, accepts, filters, sorts, exports
// or audits a ticket field derives from this list (ticket.shape.ts builds the SQL select, the row
// mapper, the REST in/out schemas and the filter/ordering schema from it; the panel builds its
// properties and the CSV export its columns from it). Adding a field = a migration, one entry here
// (and its place in TICKET_LAYOUT), and locale text. See docs/architecture.md.
//
//   name      snake_case: the column, the REST JSON key (user fields: without `_id`), the audit
//             field name, the CSV header
//   prop      camelCase: the property of the service-layer Ticket and of the panel record
//   settable  staff may change it (PATCH, the panel edit form); bulk: also a bulk "Set …" action
//   filter    the list / export / panel filters accept it (enum: repeatable; datetime: a range;
//             user: me | none | <id>)
//   sortable  offered as an ordering (`name` and `-name`)
//   exported  a CSV column (user fields: their name and email columns)
//   public    shown to the submitter in the submit response
//   counted   a dimension of the maintained totals (stats by_<name>, see ticket-counts.ts)
export const TICKET_CATEGORIES = ['general', 'bug', 'feature', 'abuse', 'data', 'account', 'other'] as const;
export const TICKET_STATUSES = ['pending', 'in_progress', 'resolved', 'archived'] as const;
/** In increasing urgency: the PostgreSQL enum's order, so `-priority` sorts urgent first. */
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
/** The visitor's language (widget / page `lang`): the language of the customer's emails and pages. */
export const TICKET_LANGUAGES = ['en', 'de', 'fr', 'es', 'ar', 'he'] as const;
export type TicketLanguage = (typeof TICKET_LANGUAGES)[number];
/** Where a ticket came from: the form / API, or an email to the support address. */
export const TICKET_CHANNELS = ['web', 'email'] as const;

/** Badge colours for enum values (panel list and show pages). */
export type BadgeStyles = Readonly<Record<string, { background: string; color: string }>>;

interface Common {
  readonly name: string;
  readonly prop: string;
  readonly label: string;
  readonly nullable?: boolean;
  readonly settable?: boolean;
  readonly bulk?: boolean;
  readonly filter?: boolean;
  readonly sortable?: boolean;
  readonly exported?: boolean;
  readonly public?: boolean;
  readonly audited?: boolean;
  readonly counted?: boolean;
  /** Staff-only text: webhook payloads carry it only to endpoints that opt in (src/webhooks). */
  readonly internal?: boolean;
}

export type TicketFieldSpec = Common &
  (
    | { readonly type: 'uuid' | 'datetime' | 'inet' }
    | { readonly type: 'string' | 'text'; readonly max: number; readonly multiline?: boolean }
    | {
        readonly type: 'enum';
        readonly values: readonly string[];
        /** The PostgreSQL enum type (casts in filters). */
        readonly pgType: string;
        readonly default?: string;
        readonly badges?: BadgeStyles;
      }
    | {
        readonly type: 'user';
        /** The REST JSON key and CSV prefix (assigned_to_id → assigned_to). */
        readonly json: string;
        /** Which of the user's name / email go into the CSV. */
        readonly csv?: readonly ('name' | 'email')[];
        /** CSV header prefix when it differs from `json` (the submitter: submitted_by_email). */
        readonly csvPrefix?: string;
        /** Only active moderators / admins may be set here. */
        readonly staffOnly?: boolean;
      }
  );

export const STATUS_BADGES: BadgeStyles = {
  pending: { background: '#fff4e5', color: '#8a4b00' },
  in_progress: { background: '#e7f0ff', color: '#0b4fb3' },
  resolved: { background: '#e6f6ec', color: '#166534' },
  archived: { background: '#eeeeee', color: '#4b5563' },
};

export const PRIORITY_BADGES: BadgeStyles = {
  low: { background: '#eeeeee', color: '#4b5563' },
  normal: { background: '#e7f0ff', color: '#0b4fb3' },
  high: { background: '#fff4e5', color: '#8a4b00' },
  urgent: { background: '#fde8e8', color: '#b42318' },
};

/** In CSV column order (the file's columns are part of the interface: append, do not reorder). */
export const TICKET_FIELDS = [
  { name: 'ticket_number', prop: 'ticketNumber', label: 'Ticket number', type: 'string', max: 50, sortable: true, exported: true, public: true, audited: true },
  { name: 'created_at', prop: 'createdAt', label: 'Created at', type: 'datetime', filter: true, sortable: true, exported: true, public: true, audited: true },
  { name: 'updated_at', prop: 'updatedAt', label: 'Last updated', type: 'datetime', sortable: true, exported: true, public: true },
  { name: 'status', prop: 'status', label: 'Status', type: 'enum', values: TICKET_STATUSES, pgType: 'TicketStatus', default: 'pending', badges: STATUS_BADGES, settable: true, filter: true, sortable: true, exported: true, public: true, audited: true, counted: true },
  { name: 'category', prop: 'category', label: 'Category', type: 'enum', values: TICKET_CATEGORIES, pgType: 'TicketCategory', default: 'general', settable: true, filter: true, sortable: true, exported: true, public: true, audited: true, counted: true },
  { name: 'name', prop: 'name', label: 'Name', type: 'string', max: 255, sortable: true, exported: true, public: true, audited: true },
  { name: 'email', prop: 'email', label: 'Email', type: 'string', max: 254, exported: true, public: true, audited: true },
  { name: 'subject', prop: 'subject', label: 'Subject', type: 'string', max: 255, sortable: true, exported: true, public: true, audited: true },
  { name: 'message', prop: 'message', label: 'Message', type: 'text', max: 20_000, multiline: true, exported: true, public: true, audited: true },
  { name: 'assigned_to_id', prop: 'assignedTo', label: 'Assigned to', type: 'user', json: 'assigned_to', csv: ['name', 'email'], staffOnly: true, nullable: true, settable: true, filter: true, sortable: true, exported: true, audited: true },
  { name: 'resolved_at', prop: 'resolvedAt', label: 'Resolved at', type: 'datetime', nullable: true, exported: true, audited: true },
  { name: 'resolved_by_id', prop: 'resolvedBy', label: 'Resolved by', type: 'user', json: 'resolved_by', csv: ['name', 'email'], nullable: true, exported: true, audited: true },
  { name: 'resolution_notes', prop: 'resolutionNotes', label: 'Resolution notes', type: 'text', max: 20_000, multiline: true, exported: true, audited: true },
  { name: 'admin_notes', prop: 'adminNotes', label: 'Notes', type: 'text', max: 20_000, multiline: true, settable: true, exported: true, audited: true, internal: true },
  { name: 'user_id', prop: 'user', label: 'Submitted by (account)', type: 'user', json: 'user', csv: ['email'], csvPrefix: 'submitted_by', nullable: true, exported: true, audited: true },
  { name: 'id', prop: 'id', label: 'Id', type: 'uuid', exported: true, public: true, audited: true },
  { name: 'channel', prop: 'channel', label: 'Channel', type: 'enum', values: TICKET_CHANNELS, pgType: 'TicketChannel', default: 'web', filter: true, exported: true, audited: true },
  { name: 'parent_ticket_id', prop: 'parentTicketId', label: 'Follows up ticket', type: 'uuid', nullable: true, exported: true, audited: true },
  { name: 'priority', prop: 'priority', label: 'Priority', type: 'enum', values: TICKET_PRIORITIES, pgType: 'TicketPriority', default: 'normal', badges: PRIORITY_BADGES, settable: true, bulk: true, filter: true, sortable: true, exported: true, audited: true, counted: true },
  { name: 'language', prop: 'language', label: 'Language', type: 'enum', values: TICKET_LANGUAGES, pgType: 'TicketLanguage', default: 'en', filter: true, exported: true, audited: true },
  { name: 'ip_address', prop: 'ipAddress', label: 'IP address', type: 'inet', nullable: true, audited: true },
  { name: 'user_agent', prop: 'userAgent', label: 'Browser', type: 'string', max: 512, nullable: true, audited: true },
  // SLA clocks (src/sla): derived from the policy, the calendar and the thread, recomputed in the
  // transaction of every change that moves them; read-only and not audited (derived state).
  // first_response_at: the first public staff reply. paused_since: waiting on the customer.
  { name: 'sla_first_response_due_at', prop: 'slaFirstResponseDueAt', label: 'First response due', type: 'datetime', nullable: true, sortable: true, exported: true },
  { name: 'sla_first_response_at', prop: 'slaFirstResponseAt', label: 'First response at', type: 'datetime', nullable: true, exported: true },
  { name: 'sla_resolution_due_at', prop: 'slaResolutionDueAt', label: 'Resolution due', type: 'datetime', nullable: true, sortable: true, exported: true },
  { name: 'sla_paused_since', prop: 'slaPausedSince', label: 'SLA paused since', type: 'datetime', nullable: true, exported: true },
] as const satisfies readonly TicketFieldSpec[];

export type TicketFieldName = (typeof TICKET_FIELDS)[number]['name'];

/** Where each field appears in the panel, in display order (presentation, not shape). */
export const TICKET_LAYOUT = {
  // The list at 1440 px: one dense line each (subject with a preview of the message, the
  // requester's email on hover, age relative, the next SLA due time).
  list: ['ticketNumber', 'subject', 'name', 'category', 'priority', 'status', 'assignedTo', 'createdAt', 'slaResolutionDueAt'],
  show: [
    'ticketNumber', 'status', 'priority', 'category', 'assignedTo', 'name', 'email', 'subject', 'message', 'adminNotes',
    'resolutionNotes', 'resolvedAt', 'resolvedBy', 'createdAt', 'updatedAt', 'channel', 'language', 'parentTicketId', 'user',
    'ipAddress', 'userAgent', 'slaFirstResponseDueAt', 'slaFirstResponseAt', 'slaResolutionDueAt', 'slaPausedSince',
  ],
  edit: ['category', 'priority', 'assignedTo', 'adminNotes'],
  filter: ['status', 'priority', 'category', 'assignedTo', 'createdAt'],
} as const satisfies Record<'list' | 'show' | 'edit' | 'filter', readonly (typeof TICKET_FIELDS)[number]['prop'][]>;

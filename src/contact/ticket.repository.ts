// How a ticket is read for moderators: the row plus submitter / assignee / resolver summaries.
import type pg from 'pg';
import type { TicketCategory, TicketStatus } from './contact.schema.js';

export interface UserSummary {
  id: string;
  name: string;
  email: string;
}

export interface Ticket {
  id: string;
  ticketNumber: string;
  name: string;
  email: string;
  subject: string;
  message: string;
  category: TicketCategory;
  status: TicketStatus;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  adminNotes: string;
  resolutionNotes: string;
  ipAddress: string | null;
  userAgent: string | null;
  user: UserSummary | null;
  assignedTo: UserSummary | null;
  resolvedBy: UserSummary | null;
}

export const TICKET_COLUMNS = `
  t.id, t.ticket_number, t.name, t.email, t.subject, t.message, t.category, t.status,
  t.created_at, t.updated_at, t.resolved_at, t.admin_notes, t.resolution_notes,
  host(t.ip_address) AS ip_address, t.user_agent,
  t.user_id, su.name AS user_name, su.email::text AS user_email,
  t.assigned_to_id, au.name AS assigned_name, au.email::text AS assigned_email,
  t.resolved_by_id, ru.name AS resolved_name, ru.email::text AS resolved_email`;

export const TICKET_JOINS = `
  LEFT JOIN users su ON su.id = t.user_id
  LEFT JOIN users au ON au.id = t.assigned_to_id
  LEFT JOIN users ru ON ru.id = t.resolved_by_id`;

export type TicketRow = Record<string, unknown>;

const summary = (id: unknown, name: unknown, email: unknown): UserSummary | null =>
  id ? { id: String(id), name: String(name ?? ''), email: String(email ?? '') } : null;

export function mapTicketRow(r: TicketRow): Ticket {
  return {
    id: r.id as string,
    ticketNumber: r.ticket_number as string,
    name: r.name as string,
    email: r.email as string,
    subject: r.subject as string,
    message: r.message as string,
    category: r.category as TicketCategory,
    status: r.status as TicketStatus,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    resolvedAt: (r.resolved_at as Date | null) ?? null,
    adminNotes: r.admin_notes as string,
    resolutionNotes: r.resolution_notes as string,
    ipAddress: (r.ip_address as string | null) ?? null,
    userAgent: (r.user_agent as string | null) ?? null,
    user: summary(r.user_id, r.user_name, r.user_email),
    assignedTo: summary(r.assigned_to_id, r.assigned_name, r.assigned_email),
    resolvedBy: summary(r.resolved_by_id, r.resolved_name, r.resolved_email),
  };
}

export async function findTicket(client: pg.ClientBase | pg.Pool, id: string): Promise<Ticket | null> {
  const { rows } = await client.query(
    `SELECT ${TICKET_COLUMNS} FROM contact_submissions t ${TICKET_JOINS} WHERE t.id = $1`,
    [id],
  );
  return rows[0] ? mapTicketRow(rows[0]) : null;
}

/** Locks the ticket row for the rest of the transaction (no lost updates between moderators). */
export async function lockTicket(
  client: pg.ClientBase,
  id: string,
): Promise<{
  id: string;
  status: TicketStatus;
  assigned_to_id: string | null;
  ticket_number: string;
  email: string;
  updated_at: Date;
} | null> {
  const { rows } = await client.query(
    `SELECT id, status, assigned_to_id, ticket_number, email, updated_at FROM contact_submissions WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] ?? null;
}

// How a ticket is read for moderators: the row plus the user summaries its user fields name. The
// select list, joins and mapping are derived from the field declarations (ticket.shape.ts).
import type pg from 'pg';
import { mapTicketRow, TICKET_COLUMNS, TICKET_JOINS, type Ticket } from './ticket.shape.js';

export type { Ticket, UserSummary } from './ticket.shape.js';

export async function findTicket(client: pg.ClientBase | pg.Pool, id: string): Promise<Ticket | null> {
  const { rows } = await client.query(
    `SELECT ${TICKET_COLUMNS} FROM contact_submissions t ${TICKET_JOINS} WHERE t.id = $1`,
    [id],
  );
  return rows[0] ? mapTicketRow(rows[0]) : null;
}

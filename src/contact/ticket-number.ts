// Ticket numbers: CONT-YYYYMMDD-NNNN, UTC date, a counter per day starting at 0001.
// The counter row is incremented inside the submission's transaction: its row lock serialises
// concurrent submissions of the same day, and a rolled-back submission rolls the counter back too,
// so numbers are unique and gapless. Past 9999 the number simply gets wider.
import type pg from 'pg';
import { utcDay } from '../shared/text.js';

export function formatTicketNumber(day: string, counter: number): string {
  return `CONT-${day.replaceAll('-', '')}-${String(counter).padStart(4, '0')}`;
}

/** Reserves `count` consecutive numbers of the day at once (a batch of submissions). */
export async function reserveTicketNumbers(client: pg.ClientBase, now: Date, count: number): Promise<string[]> {
  const day = utcDay(now);
  const { rows } = await client.query<{ last_value: number }>(
    `INSERT INTO ticket_counters (day, last_value) VALUES ($1::date, $2)
     ON CONFLICT (day) DO UPDATE SET last_value = ticket_counters.last_value + $2
     RETURNING last_value`,
    [day, count],
  );
  const last = rows[0]!.last_value;
  return Array.from({ length: count }, (_, i) => formatTicketNumber(day, last - count + 1 + i));
}

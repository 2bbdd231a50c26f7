// What the SLA adds to an outgoing mail, read by the worker when it sends (src/mail/mail.service.ts):
// an alert's clock and due time (in the calendar's time zone), a digest's lists.
import { DateTime } from 'luxon';
import type { AppContext } from '../context.js';
import { humanSpan } from './sla.policy.js';
import { digestFor, type DigestData } from './digest.js';
import { loadSlaSettings } from './sla.service.js';

export const SLA_MAIL_KINDS = ['sla_warning', 'sla_breach', 'moderator_digest'] as const;

export interface SlaAlertPart {
  targetLabel: string;
  dueAt: string;
  /** "in 30 min" / "3 h ago". */
  relative: string;
}

export interface SlaMailParts {
  slaAlert?: SlaAlertPart | null;
  digest?: DigestData | null;
}

const LABELS: Record<string, string> = { first_response: 'First response', resolution: 'Resolution' };

export async function slaMailParts(
  ctx: AppContext,
  delivery: { id: string; kind: string; recipient: string },
  ticketId: string,
): Promise<SlaMailParts> {
  if (delivery.kind === 'moderator_digest') return { digest: await digestFor(ctx, delivery.recipient) };
  if (delivery.kind !== 'sla_warning' && delivery.kind !== 'sla_breach') return {};
  const { rows } = await ctx.db.pool.query<{ target: string; due: Date | null }>(
    `SELECT d.sla_target AS target,
       CASE d.sla_target WHEN 'first_response' THEN t.sla_first_response_due_at ELSE t.sla_resolution_due_at END AS due
     FROM email_deliveries d JOIN contact_submissions t ON t.id = $2 WHERE d.id = $1`,
    [delivery.id, ticketId],
  );
  const row = rows[0];
  if (!row?.due) return { slaAlert: null };
  const { calendar } = await loadSlaSettings(ctx.db.pool);
  const ms = row.due.getTime() - ctx.clock.now().getTime();
  return {
    slaAlert: {
      targetLabel: LABELS[row.target] ?? row.target,
      dueAt: DateTime.fromJSDate(row.due, { zone: calendar.timeZone }).toFormat("ccc d LLL yyyy, HH:mm '('z')'"),
      relative: ms > 0 ? `in ${humanSpan(ms)}` : `${humanSpan(ms)} ago`,
    },
  };
}

// The ticket status machine and the actions built on it. One table of rules, used by the
// single-ticket service functions and by the bulk (one-statement) versions alike.
import { AppError } from '../errors.js';
import type { TicketStatus } from './contact.schema.js';

export const STATUS_TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  pending: ['in_progress', 'resolved'],
  in_progress: ['pending', 'resolved'],
  resolved: ['in_progress', 'archived'],
  archived: ['resolved'],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (from === to) return;
  if (!canTransition(from, to)) {
    throw new AppError({
      code: 'invalid_transition',
      status: 409,
      message: `Cannot change status from ${from} to ${to}`,
    });
  }
}

/** Statuses from which `to` can be reached (for bulk WHERE clauses). */
export function sourcesOf(to: TicketStatus): TicketStatus[] {
  return (Object.keys(STATUS_TRANSITIONS) as TicketStatus[]).filter((from) => canTransition(from, to));
}

/** Named workflow actions (REST endpoints, panel record and bulk actions). */
export const TICKET_ACTIONS = ['assign_to_me', 'resolve', 'reopen', 'archive', 'restore'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

export interface ActionRule {
  /** Statuses the action may start from. */
  from: readonly TicketStatus[];
  /** Resulting status; `null` = depends on the current one (assign: pending → in_progress). */
  to: TicketStatus | null;
  label: string;
}

export const ACTION_RULES: Record<TicketAction, ActionRule> = {
  assign_to_me: { from: ['pending', 'in_progress'], to: null, label: 'Assign to me' },
  // Not sourcesOf('resolved'): that includes archived, and archived → resolved is a restore
  // (keeps the original resolver, sends no second "resolved" email), never a fresh resolution.
  resolve: { from: ['pending', 'in_progress'], to: 'resolved', label: 'Resolve' },
  reopen: { from: ['resolved'], to: 'in_progress', label: 'Reopen' },
  archive: { from: ['resolved'], to: 'archived', label: 'Archive' },
  restore: { from: ['archived'], to: 'resolved', label: 'Restore' },
};

/** 409 for an action that the ticket's current status does not allow; names from and to. */
export function actionRefused(action: TicketAction, ticketNumber: string, from: TicketStatus): AppError {
  // A refused claim would have meant "→ in_progress".
  const to = ACTION_RULES[action].to ?? 'in_progress';
  return new AppError({
    code: 'invalid_transition',
    status: 409,
    message: `Cannot ${ACTION_RULES[action].label.toLowerCase()} ticket ${ticketNumber}: it ${skipReason(action, from)} (${from} → ${to} is not allowed)`,
  });
}

export function skipReason(action: TicketAction, status: TicketStatus): string {
  const rule = ACTION_RULES[action];
  if (action === 'assign_to_me') return `is ${status}; only pending or in-progress tickets can be claimed`;
  return `is ${status}; ${rule.label.toLowerCase()} needs ${rule.from.join(' or ')}`;
}

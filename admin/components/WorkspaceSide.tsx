// The workspace's header (breadcrumbs, "<ticket number> · <subject>", the record's action
// buttons: Assign to me, Resolve, Edit, History, …) and its side column: status (changed by the
// workflow buttons), priority, category and assignee (changed in place, WorkspaceSideFields.tsx),
// customer, dates and the SLA clock.
// The buttons are AdminJS's own record actions with AdminJS's click handling, so they behave as
// on any show page (drawer forms, delete confirmation).
import React from 'react';
import { useLocation, useNavigate } from 'react-router';
import {
  actionHref,
  Breadcrumbs,
  buildActionClickHandler,
  useActionResponseHandler,
  useModal,
  useTranslation,
  type RecordJSON,
  type ResourceJSON,
} from 'adminjs';
import { Box, ButtonGroup, H2 } from '@adminjs/design-system';
import { Badge } from './StatusBadge.js';
import { EditableFacts } from './WorkspaceSideFields.js';
import { absoluteTime, relativeTime, type Present } from './workspace-client.js';
import { currentClock, describeClock } from '../../src/sla/sla.clock.js';

/** The record actions shown as buttons: everything the moderator may do here but "show" itself. */
const HIDDEN = new Set(['show']);

export const WorkspaceHeader: React.FC<{ resource: ResourceJSON; record: RecordJSON; onActionDone(): void }> = ({
  resource,
  record,
  onActionDone,
}) => {
  const translateFunctions = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const modalFunctions = useModal();
  const actionResponseHandler = useActionResponseHandler(() => onActionDone());
  const params = { resourceId: resource.id, recordId: record.id };
  const buttons = record.recordActions
    .filter((a) => !HIDDEN.has(a.name))
    .map((action) => {
      const href = actionHref(action, params);
      return {
        icon: action.icon,
        label: translateFunctions.translateAction(action.label, resource.id),
        variant: action.variant,
        href: href || undefined,
        onClick: href
          ? buildActionClickHandler({ action, params, actionResponseHandler, navigate, location, translateFunctions, modalFunctions })
          : undefined,
        'data-css': `${resource.id}-${action.name}-button`,
        buttons: [],
      };
    });
  // Breadcrumbs and buttons share the top row (as on AdminJS's own pages); the title gets the
  // full width below, so a long subject wraps between words across the page, not in a narrow column.
  return (
    <Box mb="lg">
      <div style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', justifyContent: 'space-between', gap: 12 }}>
        <Breadcrumbs resource={resource} record={record} actionName="show" />
        <ButtonGroup buttons={buttons} />
      </div>
      <H2 mt="lg" mb="default" style={{ overflowWrap: 'break-word' }} data-testid="workspace-title">
        <span style={{ whiteSpace: 'nowrap' }}>{String(record.params.ticketNumber)}</span>
        <span style={{ color: '#9ca3af' }}> · </span>
        {String(record.params.subject ?? '')}
      </H2>
    </Box>
  );
};

export const PresenceLine: React.FC<{ others: Present[] }> = ({ others }) => (
  <div data-testid="presence" style={{ minHeight: 22, fontSize: 13, marginBottom: 10, display: 'flex', flexWrap: 'wrap', gap: '4px 14px' }}>
    {others.length === 0 ? <span style={{ color: '#6b7280' }}>Nobody else has this ticket open.</span> : null}
    {others.map((p) => (
      <span key={p.user_id} data-testid="presence-entry" data-state={p.state} style={{ whiteSpace: 'nowrap', color: p.state === 'typing' ? '#92400e' : '#1f2937' }}>
        <span
          style={{
            display: 'inline-block',
            width: 8,
            height: 8,
            borderRadius: 4,
            marginRight: 6,
            background: p.state === 'typing' ? '#f59e0b' : '#22c55e',
          }}
        />
        <strong>{p.name}</strong> {p.state === 'typing' ? 'is typing a reply…' : 'is viewing'}
      </span>
    ))}
  </div>
);

type Badges = Record<string, { background: string; color: string }>;

const Fact: React.FC<{ label: string; testId: string; children: React.ReactNode }> = ({ label, testId, children }) => (
  <div style={{ marginBottom: 14 }} data-testid={testId}>
    <div style={{ fontSize: 11, textTransform: 'uppercase', letterSpacing: 0.5, color: '#6b7280', marginBottom: 3 }}>{label}</div>
    <div style={{ fontSize: 14, overflowWrap: 'break-word' }}>{children}</div>
  </div>
);

const SLA_COLORS = { breached: '#b42318', due: '#1f2937', paused: '#6b7280', met: '#166534', none: '#6b7280' } as const;

/** The next SLA clock: "Due in 2 h" / "Breached 3 h ago" (src/sla/sla.clock.ts), the due time on hover. */
const SlaFact: React.FC<{ params: Record<string, unknown>; now: number }> = ({ params: p, now }) => {
  const at = (k: string) => (p[k] ? new Date(String(p[k])) : null);
  const clock = currentClock(
    {
      status: String(p.status ?? ''),
      slaFirstResponseDueAt: at('slaFirstResponseDueAt'),
      slaFirstResponseAt: at('slaFirstResponseAt'),
      slaResolutionDueAt: at('slaResolutionDueAt'),
      slaPausedSince: at('slaPausedSince'),
    },
    new Date(now),
  );
  if (clock.phase === 'none' || clock.phase === 'met') return null;
  const label = clock.target === 'first_response' ? 'SLA · first response' : 'SLA · resolution';
  return (
    <Fact label={label} testId="side-sla">
      <span
        data-phase={clock.phase}
        title={clock.dueAt ? absoluteTime(clock.dueAt.toISOString()) : undefined}
        style={{ color: SLA_COLORS[clock.phase], fontWeight: clock.phase === 'breached' ? 600 : 400 }}
      >
        {describeClock(clock)}
      </span>
    </Fact>
  );
};

export const WorkspaceSide: React.FC<{
  resource: ResourceJSON;
  record: RecordJSON;
  now: number;
  onSaved(record: RecordJSON): void;
  onStale(): void;
}> = ({ resource, record, now, onSaved, onStale }) => {
  const { translateProperty } = useTranslation();
  const p = record.params;
  const prop = (path: string) => resource.properties[path];
  const label = (path: string) => translateProperty(path, resource.id);
  // Enum values in plain words: the locale's label when i18next finds it, else the value
  // humanised ("in_progress" → "In progress"; the flat "status.in_progress" keys are not found).
  const valueLabel = (path: string) => {
    const v = String(p[path] ?? '');
    if (!v) return '—';
    const plain = v.charAt(0).toUpperCase() + v.slice(1).replace(/_/g, ' ');
    return translateProperty(`${path}.${v}`, resource.id, { defaultValue: plain });
  };
  const badge = (path: string) => (
    <Badge path={path} value={String(p[path] ?? '')} label={valueLabel(path)} styles={prop(path)?.custom?.badges as Badges | undefined} />
  );
  const date = (path: string) =>
    p[path] ? <span title={absoluteTime(String(p[path]))}>{relativeTime(String(p[path]), now)}</span> : <span style={{ color: '#6b7280' }}>—</span>;
  return (
    <aside
      data-testid="workspace-side"
      style={{ border: '1px solid #e5e7eb', borderRadius: 8, padding: '16px 18px', background: '#fafafa' }}
    >
      <Fact label={label('status')} testId="side-status">{badge('status')}</Fact>
      <EditableFacts resource={resource} record={record} onSaved={onSaved} onStale={onStale} />
      <Fact label="Customer" testId="side-customer">
        <div>{String(p.name ?? '')}</div>
        <div style={{ color: '#4b5563', fontSize: 13 }}>{String(p.email ?? '')}</div>
      </Fact>
      <Fact label={label('createdAt')} testId="side-created">{date('createdAt')}</Fact>
      <Fact label={label('updatedAt')} testId="side-updated">{date('updatedAt')}</Fact>
      {p.resolvedAt ? <Fact label={label('resolvedAt')} testId="side-resolved">{date('resolvedAt')}</Fact> : null}
      <SlaFact params={p} now={now} />
      <div style={{ fontSize: 12, color: '#6b7280', borderTop: '1px solid #e5e7eb', paddingTop: 10 }}>
        Status changes with the buttons above (Resolve, Reopen, …); admin notes with Edit.
      </div>
    </aside>
  );
};

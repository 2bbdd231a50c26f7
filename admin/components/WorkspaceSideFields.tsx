// The side column's facts a moderator changes most while working a ticket — priority, category
// and assignee — as selects that save on change, through the Ticket resource's edit action
// (updateTicket: the edit form's and PATCH's validation, audit and access rules). The version shown
// goes with each save, so a ticket someone changed meanwhile is refused (stale_edit) and reloaded
// instead of overwritten. Status stays with the workflow buttons (resolving asks for a note).
import React, { useEffect, useState } from 'react';
import { useTranslation, type RecordJSON, type ResourceJSON } from 'adminjs';
import { useAssignees } from './assignees.js';
import { saveTicketFields } from './workspace-client.js';

type Option = { value: string; label: string };

const selectStyle: React.CSSProperties = {
  width: '100%',
  padding: '5px 8px',
  border: '1px solid #d1d5db',
  borderRadius: 6,
  background: '#fff',
  fontSize: 14,
  color: '#111827',
};

const labelStyle: React.CSSProperties = {
  display: 'block',
  fontSize: 11,
  textTransform: 'uppercase',
  letterSpacing: 0.5,
  color: '#6b7280',
  marginBottom: 3,
};

interface Props {
  resource: ResourceJSON;
  record: RecordJSON;
  /** The saved record (its params replace the shown ones). */
  onSaved(record: RecordJSON): void;
  /** The ticket changed since it was shown: reload it. */
  onStale(): void;
}

export const EditableFacts: React.FC<Props> = ({ resource, record, onSaved, onStale }) => {
  const { translateProperty } = useTranslation();
  const assignees = useAssignees(resource.id).map((a) => ({ value: a.id, label: a.name }));
  const [saving, setSaving] = useState<string | null>(null);
  const [said, setSaid] = useState<{ text: string; ok: boolean } | null>(null);
  const p = record.params;
  // What the last save said stays for a few seconds, not over later work.
  useEffect(() => {
    if (!said) return undefined;
    const timer = setTimeout(() => setSaid(null), said.ok ? 4_000 : 10_000);
    return () => clearTimeout(timer);
  }, [said]);

  const enumOptions = (path: string): Option[] =>
    (resource.properties[path]?.availableValues ?? []).map((v) => ({ value: String(v.value), label: String(v.label) }));
  // The current assignee stays listed even when they are no longer an active moderator.
  const assigneeId = String(p.assignedToId ?? '');
  const assigneeOptions: Option[] = [
    { value: '', label: 'Unassigned' },
    ...(assigneeId && !assignees.some((a) => a.value === assigneeId)
      ? [{ value: assigneeId, label: String(p.assignedToName ?? assigneeId) }]
      : []),
    ...assignees,
  ];

  const save = async (path: string, value: string) => {
    const label = translateProperty(path, resource.id);
    setSaving(path);
    setSaid(null);
    try {
      const res = await saveTicketFields(String(record.id), { [path]: value }, String(p.updatedAt ?? ''));
      if (res.notice?.type === 'error' || !res.record) {
        // Reloaded either way, so what is shown is what is stored.
        setSaid({
          text:
            res.code === 'stale_edit'
              ? `Not saved: someone else changed this ticket meanwhile. Its current values are shown; choose again.`
              : `${label} was not saved: ${res.notice?.message ?? 'unknown error'}`,
          ok: false,
        });
        onStale();
        return;
      }
      onSaved(res.record);
      setSaid({ text: `${label} saved`, ok: true });
    } catch (err) {
      setSaid({ text: `${label} was not saved (${(err as Error).message})`, ok: false });
    } finally {
      setSaving(null);
    }
  };

  const field = (path: string, testId: string, options: Option[]) => (
    <div style={{ marginBottom: 14 }} data-testid={testId}>
      <label style={labelStyle} htmlFor={`side-${path}`}>
        {translateProperty(path, resource.id)}
      </label>
      <select
        id={`side-${path}`}
        data-testid={`${testId}-select`}
        style={selectStyle}
        value={String(p[path] ?? '')}
        disabled={saving !== null}
        onChange={(e) => void save(path, e.target.value)}
      >
        {options.map((o) => (
          <option key={o.value || 'none'} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <>
      {field('priority', 'side-priority', enumOptions('priority'))}
      {field('category', 'side-category', enumOptions('category'))}
      {field('assignedToId', 'side-assignee', assigneeOptions)}
      <div
        data-testid="side-saved"
        role="status"
        style={{
          minHeight: 16,
          fontSize: 12,
          marginTop: -6,
          marginBottom: 10,
          color: said?.ok ? '#166534' : '#b42318',
        }}
      >
        {said ? (said.ok ? `✓ ${said.text}` : said.text) : null}
      </div>
    </>
  );
};

// The list's views bar: the built-in and saved views with the number of tickets in each (one
// query, capped at 10,000 like the list's total, refreshed with every list load), "Save view"
// for the current filters (optionally shared with the team), delete for one's own; and the time
// zone select of the list's toolbar.
import React, { useState } from 'react';
import { useNotice } from 'adminjs';
import { removeView, saveView, savePreferences, type Preferences, type ViewJson } from './list-client.js';
import { panelTimeZone, setPanelTimeZone } from './dates.js';

type Props = {
  views: ViewJson[];
  active: string | null;
  search: string;
  onApply(id: string | null): void;
  onChanged(): void;
};

const zones = (): string[] => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['UTC'];
};

const ListViews: React.FC<Props> = ({ views, active, search, onApply, onChanged }) => {
  const addNotice = useNotice();
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const res = await saveView(name, shared, search);
    if (res.notice?.type === 'error') return setError(res.notice.message);
    if (res.notice) addNotice({ message: res.notice.message, type: 'success' });
    setSaving(false);
    setName('');
    setShared(false);
    setError(null);
    onChanged();
    if (res.view) onApply(res.view.id);
  };

  const remove = async (v: ViewJson) => {
    if (!window.confirm(`Delete the view “${v.name}”?`)) return;
    const res = await removeView(v.id);
    if (res.notice) addNotice({ message: res.notice.message, type: res.notice.type ?? 'success' });
    if (active === v.id) onApply(null);
    onChanged();
  };

  return (
    <nav className="cd-views" aria-label="Views" data-testid="views">
      <button
        type="button"
        className="cd-view"
        aria-current={!active ? 'page' : undefined}
        onClick={() => onApply(null)}
      >
        All open
      </button>
      {views.map((v) => (
        <span key={v.id} className="cd-view-wrap">
          <button
            type="button"
            className="cd-view"
            data-testid={`view-${v.id}`}
            aria-current={active === v.id ? 'page' : undefined}
            title={
              v.builtin
                ? 'Built-in view'
                : v.shared
                  ? `Shared by ${v.owner?.name ?? 'a colleague'}`
                  : 'Only you see this view'
            }
            onClick={() => onApply(v.id)}
          >
            {v.name}
            {v.shared && !v.builtin ? ' ⁂' : ''}{' '}
            <span className="cd-count">{v.count === undefined ? '' : `${v.count}${v.count_capped ? '+' : ''}`}</span>
          </button>
          {v.editable ? (
            <button
              type="button"
              className="cd-link cd-remove"
              aria-label={`Delete view ${v.name}`}
              onClick={() => remove(v)}
            >
              ×
            </button>
          ) : null}
        </span>
      ))}
      {saving ? (
        <form onSubmit={save} className="cd-save-view" data-testid="save-view-form">
          <label htmlFor="cd-view-name" className="cd-visually-hidden">
            View name
          </label>
          <input
            id="cd-view-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="View name"
            maxLength={80}
            required
            autoFocus
          />
          <label>
            <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Share with the team
          </label>
          <button type="submit">Save</button>
          <button type="button" className="cd-link" onClick={() => setSaving(false)}>
            Cancel
          </button>
          {error ? (
            <span role="alert" className="cd-error">
              {error}
            </span>
          ) : null}
        </form>
      ) : (
        <button type="button" className="cd-link" onClick={() => setSaving(true)} data-testid="save-view">
          + Save current filters as a view
        </button>
      )}
    </nav>
  );
};

/** The time zone the panel shows dates in (the moderator's profile preference). */
export const TimeZoneSelect: React.FC<{ prefs: Preferences; onChanged(prefs?: Preferences): void }> = ({
  prefs,
  onChanged,
}) => {
  const setZone = async (tz: string) => {
    setPanelTimeZone(tz || null);
    const res = await savePreferences({ time_zone: tz || null });
    onChanged(res.preferences);
  };
  return (
    <>
      <label htmlFor="cd-time-zone">Time zone</label>
      <select
        id="cd-time-zone"
        value={prefs.time_zone ?? ''}
        onChange={(e) => setZone(e.target.value)}
        title={`Dates shown in ${panelTimeZone()}`}
        style={{ maxWidth: 190 }}
      >
        <option value="">Browser ({Intl.DateTimeFormat().resolvedOptions().timeZone})</option>
        {zones().map((z) => (
          <option key={z} value={z}>
            {z}
          </option>
        ))}
      </select>
    </>
  );
};

export default ListViews;

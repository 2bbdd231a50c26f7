// The ticket list (the Tickets resource's list action): AdminJS's own records table (sorting by
// every shown column, bulk selection, row actions) in dense one-line rows, with
//   - a search box always above it (`filters.q`: number, requester, subject, message and thread),
//   - the saved views with their counts (ListViews.tsx), page size 20/50/100 remembered per user,
//   - a "3 new — show" bar: every POLL_MS it asks how many tickets matching the current filters
//     arrived since the list loaded (a capped count on the created_at index),
//   - the keyboard: j/k move, o open, a assign to me, / search, ? the keys (ListKeys.tsx).
// Everything it changes goes through the URL (filters.*, page, perPage, sortBy), so actions and
// drawers opened from here, and the CSV export, see the same list.
import React, { useCallback, useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { RecordsTable, useNotice, useRecords, useSelectedRecords, type ActionProps } from 'adminjs';
import { Box } from '@adminjs/design-system';
import { isTypingTarget } from './workspace-client.js';
import { setPanelTimeZone } from './dates.js';
import { assignToMe, loadListMeta, pollNew, savePreferences, type Preferences, type ViewJson } from './list-client.js';
import ListViews, { TimeZoneSelect } from './ListViews.js';
import ListKeys, { columnCss, LIST_CSS, Pages } from './ListKeys.js';

const POLL_MS = 15_000;
const PAGE_SIZES = [20, 50, 100];

const TicketList: React.FC<ActionProps> = ({ resource, setTag }) => {
  const { records, loading, direction, sortBy, page, total, fetchData, perPage } = useRecords(resource.id);
  const { selectedRecords, handleSelect, handleSelectAll, setSelectedRecords } = useSelectedRecords(records);
  const location = useLocation();
  const navigate = useNavigate();
  const addNotice = useNotice();
  const params = new URLSearchParams(location.search);
  const [q, setQ] = useState(params.get('filters.q') ?? '');
  const [views, setViews] = useState<ViewJson[]>([]);
  const [prefs, setPrefs] = useState<Preferences>({ time_zone: null, page_size: null });
  const [since, setSince] = useState<string | null>(null);
  const [fresh, setFresh] = useState(0);
  const [cursor, setCursor] = useState(0);
  const [help, setHelp] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLDivElement>(null);

  /** A new list URL: `changes` set (null deletes); a new filter starts again at page 1. */
  const go = useCallback(
    (changes: Record<string, string | null>, keepPage = false) => {
      const next = new URLSearchParams(location.search);
      for (const [k, v] of Object.entries(changes)) {
        if (v === null || v === '') next.delete(k);
        else next.set(k, v);
      }
      next.delete('refresh');
      if (!keepPage) next.delete('page');
      navigate({ pathname: location.pathname, search: next.toString() });
    },
    [location.pathname, location.search, navigate],
  );

  const refreshMeta = useCallback(async () => {
    const meta = await loadListMeta();
    setViews(meta.views);
    setPrefs(meta.preferences);
    setPanelTimeZone(meta.preferences.time_zone);
    setSince(meta.now);
    setFresh(0);
  }, []);

  useEffect(() => setTag?.(String(total)), [total]);
  useEffect(() => setQ(new URLSearchParams(location.search).get('filters.q') ?? ''), [location.search]);
  useEffect(() => setSelectedRecords([]), [location.search]);
  // Counts and the "new" baseline follow every list load (a filter, a page, an action's refresh).
  useEffect(() => {
    refreshMeta().catch(() => undefined);
    setCursor(0);
  }, [location.search, refreshMeta]);

  useEffect(() => {
    if (!since) return undefined;
    const timer = window.setInterval(() => {
      pollNew(location.search, since)
        .then((r) => setFresh(r.new_count ?? 0))
        .catch(() => undefined);
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [since, location.search]);

  // The keyboard cursor is drawn on the table's own rows.
  useEffect(() => {
    const rows = tableRef.current?.querySelectorAll<HTMLTableRowElement>('tbody tr[data-id]') ?? [];
    rows.forEach((row, i) => {
      row.toggleAttribute('data-cursor', i === cursor);
      row.setAttribute('aria-selected', String(i === cursor));
      // AdminJS's selection boxes have no label: name them after their ticket.
      const box = row.querySelector('td:first-child input[type="checkbox"]');
      const number = row.querySelector('[data-property-name="ticketNumber"]')?.textContent ?? '';
      box?.setAttribute('aria-label', `Select ticket ${number}`);
    });
    tableRef.current
      ?.querySelector('thead input[type="checkbox"]')
      ?.setAttribute('aria-label', 'Select all on this page');
    rows[cursor]?.scrollIntoView?.({ block: 'nearest' });
  }, [cursor, records, loading]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
      const current = records[cursor];
      if (e.key === 'j') setCursor((c) => Math.min(c + 1, Math.max(records.length - 1, 0)));
      else if (e.key === 'k') setCursor((c) => Math.max(c - 1, 0));
      else if ((e.key === 'o' || e.key === 'Enter') && current) {
        navigate(`${location.pathname.replace(/\/actions\/list$/, '')}/records/${current.id}/show${location.search}`);
      } else if (e.key === 'a' && current) {
        assignToMe(current.id)
          .then((r) => {
            if (r.notice) addNotice({ message: r.notice.message, type: r.notice.type ?? 'success' });
            return fetchData();
          })
          .catch(() => addNotice({ message: 'Could not assign the ticket', type: 'error' }));
      } else if (e.key === '/') searchRef.current?.focus();
      else if (e.key === '?') setHelp((h) => !h);
      else if (e.key === 'Escape') setHelp(false);
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [records, cursor, location.pathname, location.search, navigate, fetchData, addNotice]);

  const setPageSize = (size: number) => {
    go({ perPage: String(size) });
    savePreferences({ page_size: size })
      .then((r) => r.preferences && setPrefs(r.preferences))
      .catch(() => undefined);
  };

  const showNew = () => {
    go({ page: null, sortBy: null, direction: null });
    fetchData();
    refreshMeta().catch(() => undefined);
  };

  return (
    <Box variant="container" px="lg" data-testid="ticket-list" className="cd-ticket-list">
      <style>{LIST_CSS + columnCss(resource.listProperties.map((p) => p.propertyPath))}</style>
      <form
        role="search"
        className="cd-search"
        onSubmit={(e) => {
          e.preventDefault();
          go({ 'filters.q': q.trim() || null });
        }}
      >
        <label htmlFor="cd-ticket-search" className="cd-visually-hidden">
          Search tickets
        </label>
        <input
          id="cd-ticket-search"
          ref={searchRef}
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
          }}
          placeholder="Search number, requester, subject, messages…  ( / )"
          data-testid="ticket-search"
          maxLength={200}
        />
        <button type="submit">Search</button>
        {params.get('filters.q') ? (
          <button type="button" onClick={() => go({ 'filters.q': null })}>
            Clear
          </button>
        ) : null}
        <span className="cd-spacer" />
        <label htmlFor="cd-page-size">Rows</label>
        <select
          id="cd-page-size"
          data-testid="page-size"
          value={String(perPage)}
          onChange={(e) => setPageSize(Number(e.target.value))}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <TimeZoneSelect prefs={prefs} onChanged={(p) => (p ? setPrefs(p) : undefined)} />
        <button type="button" className="cd-link" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">
          ?
        </button>
      </form>
      <ListViews
        views={views}
        active={params.get('filters.view')}
        search={location.search}
        onApply={(id) =>
          navigate({ pathname: location.pathname, search: id ? `filters.view=${encodeURIComponent(id)}` : '' })
        }
        onChanged={() => refreshMeta().catch(() => undefined)}
      />
      {fresh > 0 ? (
        <div role="status" className="cd-new-bar" data-testid="new-tickets">
          {fresh} new —{' '}
          <button type="button" className="cd-link" onClick={showNew}>
            show
          </button>
        </div>
      ) : null}
      <div ref={tableRef} className="cd-table">
        <RecordsTable
          resource={resource}
          records={records}
          actionPerformed={() => fetchData()}
          onSelect={handleSelect}
          onSelectAll={handleSelectAll}
          selectedRecords={selectedRecords}
          direction={direction}
          sortBy={sortBy}
          isLoading={loading}
        />
      </div>
      <Pages
        page={page}
        pages={Math.max(1, Math.ceil(total / perPage))}
        onPage={(n) => go({ page: String(n) }, true)}
      />
      {help ? <ListKeys onClose={() => setHelp(false)} /> : null}
    </Box>
  );
};

export default TicketList;

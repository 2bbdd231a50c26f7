// The list's keyboard help (`?`), its pager (labelled buttons: AdminJS's icon-only pager has no
// accessible names) and its styles: one line per ticket (no wrapping, an ellipsis instead of a
// word broken in the middle), compact cells, the keyboard cursor.
import React from 'react';

export const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['j / k', 'Next / previous ticket'],
  ['o or Enter', 'Open the ticket'],
  ['a', 'Assign the ticket to me'],
  ['/', 'Search'],
  ['?', 'Show these keys'],
  ['Esc', 'Close'],
];

/** Widths of the list's columns by property (the subject takes the rest). */
export const COLUMN_WIDTHS: Record<string, number> = {
  // A whole CONT-YYYYMMDD-NNNN at 13 px: a clipped last digit would name another ticket.
  ticketNumber: 150,
  name: 100,
  category: 110,
  priority: 66,
  status: 86,
  assignedToId: 100,
  createdAt: 68,
  slaResolutionDueAt: 104,
};

/** `th:nth-child(n)` widths for the columns in their order (checkbox first). */
export const columnCss = (paths: string[]): string =>
  paths
    // AdminJS draws its header cells as <td> inside <thead>: select by position, not by tag.
    .map((p, i) =>
      COLUMN_WIDTHS[p] ? `.cd-ticket-list thead tr > :nth-child(${i + 2}) { width: ${COLUMN_WIDTHS[p]}px; }` : '',
    )
    .join('\n');

export const LIST_CSS = `
.cd-ticket-list table { table-layout: fixed; width: 100%; }
.cd-ticket-list th, .cd-ticket-list td {
  box-sizing: border-box;
  padding-top: 5px; padding-bottom: 5px; padding-left: 6px; padding-right: 6px;
  white-space: nowrap; word-break: normal; overflow-wrap: normal; hyphens: none;
  overflow: hidden; text-overflow: ellipsis; vertical-align: middle; height: auto; line-height: 20px; font-size: 13px;
}
.cd-ticket-list td > *, .cd-ticket-list th > * { max-width: 100%; }
.cd-ticket-list th button, .cd-ticket-list th a { white-space: nowrap; word-break: normal; }
/** Column widths by position (TicketList writes them from the list's properties). */
.cd-ticket-list .cd-cell-line { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.cd-ticket-list thead tr > :first-child, .cd-ticket-list td:first-child { width: 32px; padding-left: 8px; padding-right: 2px; }
.cd-ticket-list thead tr > :last-child, .cd-ticket-list td.options { width: 36px; padding-top: 0; padding-bottom: 0; }
.cd-ticket-list td.options button { height: 24px; min-height: 0; padding-top: 0; padding-bottom: 0; line-height: 20px; }
.cd-ticket-list td.options svg { height: 16px; }
.cd-ticket-list td label, .cd-ticket-list th label { margin: 0; }
.cd-ticket-list td [data-testid$="-badge"] { line-height: 18px; padding-top: 0; padding-bottom: 0; }
.cd-ticket-list tr[data-cursor] { outline: 2px solid #0b4fb3; outline-offset: -2px; }
.cd-pages { display: flex; justify-content: center; align-items: center; gap: 12px; margin-top: 12px; font-size: 13px; }
.cd-pages button { padding: 4px 10px; border: 1px solid #c0c6d0; border-radius: 4px; background: #fff; cursor: pointer; }
.cd-pages button:disabled { color: #6b7280; cursor: default; }
.cd-ticket-list tr[data-cursor] td:first-child { box-shadow: inset 3px 0 0 #0b4fb3; }
.cd-search, .cd-views { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin-bottom: 8px; }
.cd-search input[type="search"] { flex: 0 1 440px; padding: 6px 10px; border: 1px solid #8a94a6; border-radius: 4px; font-size: 14px; }
.cd-search button, .cd-save-view button, .cd-view { padding: 4px 10px; border: 1px solid #c0c6d0; border-radius: 4px; background: #fff; cursor: pointer; font-size: 13px; color: #1f2937; }
.cd-view[aria-current="page"] { background: #0b4fb3; border-color: #0b4fb3; color: #fff; }
.cd-view .cd-count { font-weight: 600; margin-left: 2px; }
.cd-view-wrap { display: inline-flex; align-items: center; }
.cd-link { background: none; border: none; color: #0b4fb3; cursor: pointer; text-decoration: underline; padding: 2px 4px; font-size: 13px; }
.cd-remove { text-decoration: none; color: #4b5563; }
.cd-spacer { flex: 1; }
.cd-new-bar { background: #fff4e5; color: #5c3200; border: 1px solid #f5c27a; border-radius: 4px; padding: 6px 12px; margin-bottom: 8px; }
.cd-error { color: #b42318; }
.cd-save-view { display: inline-flex; gap: 6px; align-items: center; }
.cd-save-view input:not([type]) { padding: 4px 8px; border: 1px solid #8a94a6; border-radius: 4px; }
.cd-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.cd-keys { position: fixed; inset: 0; background: rgba(17, 24, 39, 0.45); display: flex; align-items: center; justify-content: center; z-index: 1000; }
.cd-keys > div { background: #fff; border-radius: 8px; padding: 20px 28px; min-width: 360px; }
.cd-keys kbd { font-family: monospace; background: #f3f4f6; border: 1px solid #c0c6d0; border-radius: 3px; padding: 1px 6px; }
.cd-keys td { padding: 4px 12px 4px 0; }
`;

export const Pages: React.FC<{ page: number; pages: number; onPage(n: number): void }> = ({ page, pages, onPage }) => (
  <nav className="cd-pages" aria-label="Pages" data-testid="pages">
    <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
      ‹ Previous
    </button>
    <span>
      Page {page} of {pages}
    </span>
    <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
      Next ›
    </button>
  </nav>
);

const ListKeys: React.FC<{ onClose(): void }> = ({ onClose }) => (
  <div
    className="cd-keys"
    role="dialog"
    aria-modal="true"
    aria-labelledby="cd-keys-title"
    data-testid="keys-help"
    onClick={onClose}
  >
    <div onClick={(e) => e.stopPropagation()}>
      <h2 id="cd-keys-title" style={{ fontSize: 18, marginBottom: 12 }}>
        Keyboard shortcuts
      </h2>
      <table>
        <tbody>
          {KEYS.map(([k, what]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onClose} style={{ marginTop: 12 }}>
        Close
      </button>
    </div>
  </div>
);

export default ListKeys;

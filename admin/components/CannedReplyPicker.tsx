// The reply box's canned replies: opened by its button or by typing `#` at the start of the reply
// or of a line (elsewhere `#` is just a character: "order #123"). Searches the shared and own
// replies by name; Enter / click inserts the reply rendered for this ticket (placeholders filled
// by the server, src/canned/template.ts) at the cursor. Inserting counts as one use.
import React, { useEffect, useRef, useState } from 'react';
import { renderCanned, searchCanned, type CannedItem } from './tags-canned-client.js';

export interface CannedReplyPickerProps {
  ticketId: string;
  textRef: React.RefObject<HTMLTextAreaElement | null>;
  body: string;
  /** The reply box's new text (the inserted reply at the cursor). */
  onInsert(body: string): void;
}

const kbd: React.CSSProperties = {
  border: '1px solid #d1d5db',
  borderRadius: 3,
  padding: '0 4px',
  fontFamily: 'monospace',
  fontSize: 11,
  background: '#f9fafb',
};

const CannedReplyPicker: React.FC<CannedReplyPickerProps> = ({ ticketId, textRef, body, onInsert }) => {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [items, setItems] = useState<CannedItem[]>([]);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const selection = useRef<[number, number]>([0, 0]);
  const asked = useRef(0);

  const show = () => {
    const el = textRef.current;
    selection.current = el ? [el.selectionStart, el.selectionEnd] : [body.length, body.length];
    setQ('');
    setError(null);
    setOpen(true);
  };
  const close = () => {
    setOpen(false);
    textRef.current?.focus();
  };

  // `#` at the start of the box or of a line opens the picker instead of typing it.
  useEffect(() => {
    const el = textRef.current;
    if (!el) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '#' || e.ctrlKey || e.metaKey || e.altKey) return;
      const before = el.value.slice(0, el.selectionStart);
      if (before === '' || before.endsWith('\n')) {
        e.preventDefault();
        show();
      }
    };
    el.addEventListener('keydown', onKey);
    return () => el.removeEventListener('keydown', onKey);
  });

  useEffect(() => {
    if (!open) return;
    const n = ++asked.current;
    const timer = setTimeout(() => {
      searchCanned(ticketId, q.trim()).then(
        (found) => {
          if (n !== asked.current) return;
          setItems(found);
          setActive(0);
        },
        (err: Error) => setError(err.message || 'The canned replies could not be loaded.'),
      );
    }, 120);
    return () => clearTimeout(timer);
  }, [open, q, ticketId]);

  const insert = async (item: CannedItem | undefined) => {
    if (!item || busy) return;
    setBusy(true);
    setError(null);
    try {
      const text = await renderCanned(ticketId, item.id);
      const [start, end] = selection.current;
      onInsert(body.slice(0, start) + text + body.slice(end));
      setOpen(false);
      const caret = start + text.length;
      requestAnimationFrame(() => {
        const el = textRef.current;
        el?.focus();
        el?.setSelectionRange(caret, caret);
      });
    } catch (err) {
      setError((err as Error).message || 'The canned reply could not be inserted.');
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = items.length;
      if (n) setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % n : (a - 1 + n) % n));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      void insert(items[active]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  };

  return (
    <div style={{ position: 'relative', marginTop: 8 }} data-testid="canned-picker">
      <button
        type="button"
        data-testid="canned-open"
        onClick={() => (open ? close() : show())}
        style={{
          border: '1px solid #d1d5db',
          background: '#fff',
          borderRadius: 4,
          padding: '4px 10px',
          fontSize: 13,
          cursor: 'pointer',
        }}
      >
        Canned reply <span style={kbd}>#</span>
      </button>
      {open ? (
        <div
          role="dialog"
          aria-label="Insert a canned reply"
          style={{
            position: 'absolute',
            zIndex: 30,
            bottom: '100%',
            left: 0,
            width: 420,
            maxWidth: '100%',
            marginBottom: 4,
            padding: 8,
            background: '#fff',
            border: '1px solid #d1d5db',
            borderRadius: 6,
            boxShadow: '0 8px 24px rgba(0,0,0,0.12)',
          }}
        >
          <input
            autoFocus
            data-testid="canned-search"
            aria-label="Search canned replies by name"
            placeholder="Search by name…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={onKeyDown}
            style={{
              width: '100%',
              boxSizing: 'border-box',
              padding: '6px 8px',
              fontSize: 13,
              border: '1px solid #d1d5db',
              borderRadius: 4,
            }}
          />
          <ul
            role="listbox"
            style={{ listStyle: 'none', margin: '6px 0 0', padding: 0, maxHeight: 260, overflowY: 'auto' }}
          >
            {items.map((item, i) => (
              <li
                key={item.id}
                role="option"
                aria-selected={i === active}
                data-testid="canned-item"
                onMouseDown={(e) => {
                  e.preventDefault();
                  void insert(item);
                }}
                style={{
                  padding: '6px 8px',
                  borderRadius: 4,
                  cursor: 'pointer',
                  background: i === active ? '#eef2ff' : undefined,
                }}
              >
                <div style={{ fontSize: 13, fontWeight: 600 }}>
                  {item.name}{' '}
                  <span style={{ fontWeight: 400, color: '#6b7280' }}>
                    · {item.scope === 'shared' ? 'team' : 'mine'}
                  </span>
                </div>
                <div
                  style={{
                    fontSize: 12,
                    color: '#6b7280',
                    whiteSpace: 'nowrap',
                    overflow: 'hidden',
                    textOverflow: 'ellipsis',
                  }}
                >
                  {item.preview}
                </div>
              </li>
            ))}
            {!items.length ? (
              <li style={{ fontSize: 13, color: '#9ca3af', padding: 6 }}>No canned reply matches.</li>
            ) : null}
          </ul>
          {error ? (
            <div role="alert" style={{ color: '#b91c1c', fontSize: 12, marginTop: 4 }}>
              {error}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
};

export default CannedReplyPicker;

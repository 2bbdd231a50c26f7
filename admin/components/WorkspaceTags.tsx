// The ticket's tags in the workspace side panel: chips with a remove button, and a field that
// suggests existing tags as you type (most used first) and creates a new one on Enter. Every
// change goes through the hidden `tags` action (src/tags/service.ts), which audits it.
import React, { useEffect, useRef, useState } from 'react';
import { addTags, loadTags, removeTag, suggestTags, type TagJson, type TagSuggestion } from './tags-canned-client.js';

const chip: React.CSSProperties = {
  display: 'inline-flex',
  alignItems: 'center',
  gap: 4,
  padding: '2px 4px 2px 10px',
  margin: '0 6px 6px 0',
  borderRadius: 999,
  background: '#eef2ff',
  border: '1px solid #c7d2fe',
  color: '#3730a3',
  fontSize: 12,
  fontWeight: 600,
  whiteSpace: 'nowrap',
};
const removeButton: React.CSSProperties = {
  border: 'none',
  background: 'transparent',
  color: '#4338ca',
  cursor: 'pointer',
  fontSize: 14,
  lineHeight: 1,
  padding: '0 4px',
};

const WorkspaceTags: React.FC<{ ticketId: string }> = ({ ticketId }) => {
  const [tags, setTags] = useState<TagJson[] | null>(null);
  const [text, setText] = useState('');
  const [suggestions, setSuggestions] = useState<TagSuggestion[]>([]);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const asked = useRef(0);

  useEffect(() => {
    loadTags(ticketId).then(setTags, () => setError('The tags could not be loaded.'));
  }, [ticketId]);

  useEffect(() => {
    const q = text.trim();
    if (!q) return setSuggestions([]);
    const n = ++asked.current;
    const timer = setTimeout(() => {
      suggestTags(ticketId, q).then(
        (s) => {
          // Only the answer to the latest keystroke counts.
          if (n === asked.current) setSuggestions(s.filter((x) => !tags?.some((t) => t.id === x.id)));
        },
        () => {},
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [text, ticketId, tags]);

  const run = async (change: () => Promise<TagJson[]>) => {
    setError(null);
    try {
      setTags(await change());
      setText('');
      setSuggestions([]);
      setActive(-1);
    } catch (err) {
      setError((err as Error).message || 'The tags could not be saved.');
    }
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = suggestions.length;
      if (n) setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % n : (a - 1 + n) % n));
    } else if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      const name = active >= 0 && suggestions[active] ? suggestions[active]!.name : text.trim();
      if (name) void run(() => addTags(ticketId, name));
    } else if (e.key === 'Escape') {
      setSuggestions([]);
      setActive(-1);
    }
  };

  return (
    <section
      data-testid="workspace-tags"
      aria-label="Tags"
      style={{
        border: '1px solid #e5e7eb',
        borderRadius: 8,
        padding: '12px 18px',
        background: '#fafafa',
        marginTop: 12,
      }}
    >
      <div style={{ fontSize: 11, color: '#6b7280', textTransform: 'uppercase', letterSpacing: 0.5, marginBottom: 6 }}>
        Tags
      </div>
      <div>
        {(tags ?? []).map((t) => (
          <span key={t.id} style={chip} data-testid="tag-chip" data-tag={t.name}>
            {t.name}
            <button
              type="button"
              style={removeButton}
              aria-label={`Remove tag ${t.name}`}
              data-testid="tag-remove"
              onClick={() => void run(() => removeTag(ticketId, t.id))}
            >
              ×
            </button>
          </span>
        ))}
        {tags && !tags.length ? <span style={{ fontSize: 13, color: '#9ca3af' }}>No tags yet</span> : null}
      </div>
      <div style={{ position: 'relative', marginTop: 4 }}>
        <input
          data-testid="tag-input"
          aria-label="Add a tag"
          role="combobox"
          aria-expanded={suggestions.length > 0}
          placeholder="Add a tag…"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setActive(-1);
          }}
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
        {suggestions.length ? (
          <ul
            role="listbox"
            data-testid="tag-suggestions"
            style={{
              position: 'absolute',
              zIndex: 20,
              left: 0,
              right: 0,
              margin: 0,
              padding: 4,
              listStyle: 'none',
              background: '#fff',
              border: '1px solid #d1d5db',
              borderRadius: 4,
              boxShadow: '0 4px 12px rgba(0,0,0,0.08)',
            }}
          >
            {suggestions.map((s, i) => (
              <li
                key={s.id}
                role="option"
                aria-selected={i === active}
                data-testid="tag-suggestion"
                onMouseDown={(e) => {
                  e.preventDefault();
                  void run(() => addTags(ticketId, s.name));
                }}
                style={{
                  padding: '4px 8px',
                  cursor: 'pointer',
                  fontSize: 13,
                  background: i === active ? '#eef2ff' : undefined,
                }}
              >
                {s.name} <span style={{ color: '#9ca3af' }}>· {s.ticket_count}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {error ? (
        <div style={{ color: '#b91c1c', fontSize: 12, marginTop: 4 }} role="alert">
          {error}
        </div>
      ) : null}
    </section>
  );
};

export default WorkspaceTags;

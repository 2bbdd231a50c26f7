// The workspace's reply box. Two modes: reply (emailed to the customer) and internal note (staff
// only, shaded like the notes in the thread); three buttons: Reply, Reply and resolve, Add note.
// Ctrl/Cmd+Enter sends in the current mode. When the server says a newer message arrived since
// the moderator last looked (409 stale_thread), the box asks before sending again.
// Files: "Attach files" (a file picker) or dropped anywhere on the box; listed with their size
// and a remove button, and sent with the reply or the note (a note's files stay internal).
import React, { forwardRef, useRef, useState } from 'react';
import { Box, Button, MessageBox } from '@adminjs/design-system';
import { formatSize } from './workspace-client.js';

export type Mode = 'reply' | 'note';
export type SendKind = 'reply' | 'reply_resolve' | 'note';

export interface ReplyBoxProps {
  mode: Mode;
  onMode(mode: Mode): void;
  body: string;
  onBody(body: string): void;
  /** The files chosen for the next message. */
  files: File[];
  onFiles(files: File[]): void;
  onSend(kind: SendKind): void;
  busy: boolean;
  canResolve: boolean;
  customerName: string;
  error: string | null;
  /** What the last send did ("Internal note added"), until the moderator types again. */
  sent: string | null;
  /** Set while the server's stale_thread answer waits for the moderator's decision. */
  stale: { count: number } | null;
  onConfirm(): void;
  onCancel(): void;
}

const tab = (active: boolean, note: boolean): React.CSSProperties => ({
  border: '1px solid #d1d5db',
  borderBottom: active ? '1px solid transparent' : '1px solid #d1d5db',
  background: active ? (note ? '#fff8d6' : '#ffffff') : '#f3f4f6',
  fontWeight: active ? 700 : 400,
  padding: '6px 14px',
  marginRight: 4,
  borderRadius: '6px 6px 0 0',
  cursor: 'pointer',
  fontSize: 13,
  color: '#111827',
});

const kbd: React.CSSProperties = {
  border: '1px solid #d1d5db',
  borderRadius: 3,
  padding: '0 4px',
  fontFamily: 'monospace',
  fontSize: 11,
  background: '#f9fafb',
};

const ChosenFiles: React.FC<{ files: File[]; note: boolean; onRemove(index: number): void }> = ({
  files,
  note,
  onRemove,
}) =>
  files.length ? (
    <ul
      data-testid="reply-files"
      aria-label="Files to send"
      style={{ listStyle: 'none', padding: 0, margin: '8px 0 0' }}
    >
      {files.map((f, i) => (
        <li
          key={`${f.name}:${f.size}:${i}`}
          data-testid="reply-file"
          style={{
            display: 'inline-flex',
            alignItems: 'center',
            gap: 6,
            margin: '0 8px 6px 0',
            padding: '3px 8px',
            border: '1px solid #d1d5db',
            borderRadius: 14,
            fontSize: 13,
            background: '#f9fafb',
          }}
        >
          <span>{f.name}</span>
          <span style={{ color: '#6b7280' }}>{formatSize(f.size)}</span>
          <button
            type="button"
            aria-label={`Remove ${f.name}`}
            data-testid="reply-file-remove"
            onClick={() => onRemove(i)}
            style={{
              border: 0,
              background: 'transparent',
              cursor: 'pointer',
              fontSize: 15,
              lineHeight: 1,
              color: '#6b7280',
            }}
          >
            ×
          </button>
        </li>
      ))}
      {note ? <li style={{ fontSize: 12, color: '#8a6d00' }}>A note's files are never emailed.</li> : null}
    </ul>
  ) : null;

const WorkspaceReplyBox = forwardRef<HTMLTextAreaElement, ReplyBoxProps>(function WorkspaceReplyBox(p, ref) {
  const note = p.mode === 'note';
  const empty = p.body.trim() === '';
  const picker = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const addFiles = (list: FileList | null) => {
    if (list && list.length) p.onFiles([...p.files, ...Array.from(list)]);
  };
  // Dropping a file anywhere on the box adds it (only file drags: dragged text goes in the textarea).
  const isFileDrag = (e: React.DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  const drop = {
    onDragOver: (e: React.DragEvent) => {
      if (!isFileDrag(e)) return;
      e.preventDefault();
      setDragging(true);
    },
    onDragLeave: () => setDragging(false),
    onDrop: (e: React.DragEvent) => {
      if (!isFileDrag(e)) return;
      e.preventDefault();
      setDragging(false);
      addFiles(e.dataTransfer.files);
    },
  };
  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (!empty && !p.busy && !p.stale) p.onSend(note ? 'note' : 'reply');
    }
  };
  return (
    <Box
      mt="xl"
      data-testid="reply-box"
      data-mode={p.mode}
      data-dragging={dragging ? 'true' : undefined}
      {...drop}
      style={dragging ? { outline: '2px dashed #3b63d6', outlineOffset: 4, borderRadius: 6 } : undefined}
    >
      <div role="tablist" style={{ display: 'flex', alignItems: 'flex-end' }}>
        <button
          type="button"
          role="tab"
          aria-selected={!note}
          data-testid="mode-reply"
          style={tab(!note, false)}
          onClick={() => p.onMode('reply')}
        >
          Reply to customer <span style={kbd}>r</span>
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={note}
          data-testid="mode-note"
          style={tab(note, true)}
          onClick={() => p.onMode('note')}
        >
          Internal note <span style={kbd}>n</span>
        </button>
      </div>
      <textarea
        ref={ref}
        id="workspace-reply"
        data-testid="reply-body"
        aria-label={note ? 'Internal note' : 'Reply to the customer'}
        rows={6}
        value={p.body}
        onChange={(e) => p.onBody(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder={
          note
            ? 'Write an internal note: only staff see it, it is never emailed.'
            : `Write a reply to ${p.customerName}: it is emailed to them.`
        }
        style={{
          display: 'block',
          width: '100%',
          boxSizing: 'border-box',
          minHeight: 120,
          resize: 'vertical',
          padding: 10,
          fontSize: 14,
          lineHeight: 1.5,
          fontFamily: 'inherit',
          border: `1px solid ${note ? '#d9a400' : '#d1d5db'}`,
          borderRadius: '0 6px 6px 6px',
          background: note ? '#fff8d6' : '#ffffff',
        }}
      />
      <ChosenFiles files={p.files} note={note} onRemove={(i) => p.onFiles(p.files.filter((_, j) => j !== i))} />
      {p.stale ? (
        <div
          data-testid="stale-prompt"
          role="alertdialog"
          style={{
            marginTop: 10,
            padding: '10px 14px',
            border: '1px solid #f59e0b',
            background: '#fffbeb',
            borderRadius: 6,
          }}
        >
          <strong>A new message arrived — send anyway?</strong>
          <div style={{ fontSize: 13, color: '#4b5563', margin: '4px 0 8px' }}>
            {p.stale.count === 1 ? 'It is' : `${p.stale.count} new messages are`} marked “New” in the thread above. Your
            text has not been sent.
          </div>
          <Button
            type="button"
            variant="contained"
            size="sm"
            mr="default"
            data-testid="stale-confirm"
            disabled={p.busy}
            onClick={p.onConfirm}
          >
            Send anyway
          </Button>
          <Button type="button" variant="outlined" size="sm" data-testid="stale-cancel" onClick={p.onCancel}>
            Cancel, let me read it
          </Button>
        </div>
      ) : null}
      {p.error ? <MessageBox mt="default" variant="danger" message={p.error} data-testid="reply-error" /> : null}
      <div style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 8, marginTop: 10 }}>
        <Button
          type="button"
          variant={note ? 'outlined' : 'contained'}
          disabled={empty || p.busy || !!p.stale}
          data-testid="send-reply"
          onClick={() => p.onSend('reply')}
        >
          Reply
        </Button>
        <Button
          type="button"
          variant="outlined"
          disabled={empty || p.busy || !!p.stale || !p.canResolve}
          title={p.canResolve ? undefined : 'The ticket is already resolved or archived'}
          data-testid="send-reply-resolve"
          onClick={() => p.onSend('reply_resolve')}
        >
          Reply and resolve
        </Button>
        <Button
          type="button"
          variant={note ? 'contained' : 'outlined'}
          disabled={empty || p.busy || !!p.stale}
          data-testid="send-note"
          onClick={() => p.onSend('note')}
        >
          Add note
        </Button>
        <input
          ref={picker}
          type="file"
          multiple
          data-testid="reply-files-input"
          aria-label="Attach files"
          style={{ display: 'none' }}
          onChange={(e) => {
            addFiles(e.target.files);
            e.target.value = ''; // the same file can be chosen again after a remove
          }}
        />
        <Button
          type="button"
          variant="text"
          size="sm"
          data-testid="attach-files"
          disabled={p.busy}
          onClick={() => picker.current?.click()}
        >
          Attach files…
        </Button>
        {p.sent ? (
          <span data-testid="reply-sent" role="status" style={{ fontSize: 13, color: '#166534', fontWeight: 600 }}>
            ✓ {p.sent}
          </span>
        ) : null}
        <span style={{ fontSize: 12, color: '#6b7280', marginLeft: 'auto', whiteSpace: 'nowrap' }}>
          <span style={kbd}>Ctrl</span>+<span style={kbd}>Enter</span> sends as {note ? 'note' : 'reply'}
        </span>
      </div>
    </Box>
  );
});

export default WorkspaceReplyBox;

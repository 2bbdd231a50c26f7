// The files of one thread message in the workspace: name, size and a type icon, a small preview
// for images (served by the session-checked /admin/attachments/:id route, which only ever shows
// sniffed raster images inline), and the files an inbound mail brought that were not kept, with
// the reason (too big, a program, one too many) — never a silent drop.
import React from 'react';
import { fileUrl, formatSize, type ThreadMessage } from './workspace-client.js';

const PREVIEW = /^image\/(png|jpeg|gif|webp)$/;

/** A small type badge (text, not an emoji: the panel must not depend on an emoji font). */
const badge = (type: string) =>
  PREVIEW.test(type) ? 'IMG' : type === 'application/pdf' ? 'PDF' : type.startsWith('text/') ? 'TXT' : 'FILE';

const badgeStyle: React.CSSProperties = {
  display: 'inline-block',
  marginRight: 4,
  padding: '0 4px',
  borderRadius: 3,
  fontSize: 10,
  fontWeight: 700,
  color: '#374151',
  background: '#e5e7eb',
};

export const MessageFiles: React.FC<{ message: ThreadMessage }> = ({ message }) => {
  const files = message.attachments ?? [];
  const refused = message.refused_attachments ?? [];
  if (!files.length && !refused.length) return null;
  return (
    <div data-testid="message-files" style={{ marginTop: 8 }}>
      {files.map((f) => (
        <a
          key={f.id}
          href={fileUrl(f.id)}
          target="_blank"
          rel="noopener noreferrer"
          data-testid="message-file"
          title={`${f.file_name} (${f.content_type})`}
          style={{
            display: 'inline-flex',
            flexDirection: 'column',
            gap: 4,
            margin: '0 8px 8px 0',
            padding: 6,
            border: '1px solid #e5e7eb',
            borderRadius: 6,
            background: '#ffffff',
            fontSize: 12,
            color: '#1f2937',
            textDecoration: 'none',
            maxWidth: 180,
            verticalAlign: 'top',
          }}
        >
          {PREVIEW.test(f.content_type) ? (
            <img
              src={fileUrl(f.id)}
              alt=""
              loading="lazy"
              style={{ maxWidth: 168, maxHeight: 110, objectFit: 'contain', background: '#f3f4f6' }}
            />
          ) : null}
          <span style={{ overflowWrap: 'anywhere' }}>
            <span aria-hidden="true" style={badgeStyle}>
              {badge(f.content_type)}
            </span>
            {f.file_name} <span style={{ color: '#6b7280' }}>{formatSize(f.size)}</span>
          </span>
        </a>
      ))}
      {refused.length ? (
        <ul data-testid="refused-files" style={{ margin: '4px 0 0', paddingLeft: 18, fontSize: 12, color: '#92400e' }}>
          {refused.map((r, i) => (
            <li key={i}>
              Not kept: {r.file_name} ({formatSize(r.size)}) — {r.detail}. The original mail keeps it.
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
};

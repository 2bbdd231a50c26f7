// The list's subject cell: the subject, then the start of the message in grey, on one line
// (ellipsis, never a broken word). The whole text is the cell's tooltip.
import React from 'react';
import type { BasePropertyProps } from 'adminjs';

const PREVIEW = 140;

const SubjectCell: React.FC<BasePropertyProps> = ({ record }) => {
  const subject = String(record?.params?.subject ?? '');
  const message = String(record?.params?.message ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const preview = message.length > PREVIEW ? `${message.slice(0, PREVIEW)}…` : message;
  return (
    <span className="cd-cell-line" title={`${subject}\n\n${message.slice(0, 600)}`} data-testid="subject-cell">
      <strong style={{ fontWeight: 600 }}>{subject}</strong>
      {preview ? <span style={{ color: '#4b5563' }}> — {preview}</span> : null}
    </span>
  );
};

export default SubjectCell;

// A date in the list: its age ("3 h ago"), the absolute date in the moderator's time zone on
// hover (one format for the whole panel: dates.ts).
import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { absoluteDate, relativeAge } from './dates.js';

const TimeCell: React.FC<BasePropertyProps> = ({ record, property }) => {
  const iso = record?.params?.[property.path] as string | null | undefined;
  if (!iso) return <span style={{ color: '#6b7280' }}>—</span>;
  return (
    <time className="cd-cell-line" dateTime={iso} title={absoluteDate(iso)} data-testid="age">
      {relativeAge(iso, Date.now())}
    </time>
  );
};

export default TimeCell;

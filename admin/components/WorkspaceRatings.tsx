// The customer's answers to "Did this solve your problem?" on the ticket, newest first, under the
// workspace's side column: one per resolution (a reopened and re-resolved ticket can have two),
// with the comment and when it was given. Comes with the thread (conversation action), so a
// rating that arrives while the page is open shows on the next poll.
import React from 'react';
import { absoluteTime, relativeTime, type RatingJson } from './workspace-client.js';

export const WorkspaceRatings: React.FC<{ ratings: RatingJson[] | undefined; now: number }> = ({ ratings, now }) => {
  if (!ratings) return null;
  return (
    <section
      data-testid="workspace-ratings"
      aria-label="Customer satisfaction"
      style={{
        border: '1px solid #e5e7eb',
        borderRadius: 8,
        padding: '12px 18px',
        background: '#fafafa',
        marginTop: 12,
      }}
    >
      <div style={{ fontSize: 11, textTransform: 'uppercase', letterSpacing: 0.5, color: '#6b7280', marginBottom: 6 }}>
        Satisfaction
      </div>
      {ratings.length === 0 ? (
        <div style={{ fontSize: 13, color: '#6b7280' }}>Not rated yet</div>
      ) : (
        ratings.map((r) => (
          <div key={r.id} data-testid="rating" data-score={r.score} style={{ fontSize: 14, marginBottom: 8 }}>
            <strong style={{ color: r.score === 'good' ? '#166534' : '#b91c1c' }}>
              {r.score === 'good' ? '👍 Solved' : '👎 Not solved'}
            </strong>{' '}
            <span style={{ fontSize: 12, color: '#6b7280' }} title={absoluteTime(r.updated_at)}>
              {relativeTime(r.updated_at, now)}
            </span>
            {r.comment ? (
              <blockquote
                style={{
                  margin: '4px 0 0',
                  paddingInlineStart: 8,
                  borderInlineStart: '3px solid #e5e7eb',
                  overflowWrap: 'anywhere',
                }}
              >
                {r.comment}
              </blockquote>
            ) : null}
            <div style={{ fontSize: 12, color: '#6b7280' }}>for the resolution of {absoluteTime(r.resolved_at)}</div>
          </div>
        ))
      )}
    </section>
  );
};

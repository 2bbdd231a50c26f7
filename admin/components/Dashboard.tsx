// The moderators' home page: queue counts, tickets per day (last 30 days, stacked by category,
// drawn as inline SVG), the oldest pending tickets and the tickets assigned to me.
import React, { useEffect, useState } from 'react';
import { ApiClient, ViewHelpers } from 'adminjs';
import { Box, H2, H5, Text } from '@adminjs/design-system';

type Ticket = { id: string; ticketNumber: string; subject: string; name: string; status: string; createdAt: string };
type Day = { day: string; total: number; byCategory: Record<string, number> };
type Data = {
  counts: { open: number; unassigned: number; pending: number; inProgress: number };
  headline: Array<{ key: string; label: string; value: number | null; query: string | null }>;
  days: Day[];
  categories: string[];
  oldestPending: Ticket[];
  myAssigned: Ticket[];
};

const PALETTE = ['#3040d6', '#e8590c', '#2b8a3e', '#c2255c', '#5f3dc4', '#0b7285', '#868e96'];
const card: React.CSSProperties = {
  background: '#fff',
  borderRadius: 6,
  padding: 20,
  boxShadow: '0 1px 3px rgba(0,0,0,0.08)',
};

const Count: React.FC<{ label: string; value: number | null; testId: string; href: string | null }> = ({
  label,
  value,
  testId,
  href,
}) => {
  const body = (
    <>
      <div
        style={{ fontSize: 34, fontWeight: 700, lineHeight: 1.2, marginBottom: 6 }}
        title={value === null ? 'Nothing to measure yet' : undefined}
      >
        {value ?? '—'}
      </div>
      <div style={{ color: '#6b7280' }}>{label}</div>
    </>
  );
  const style = { ...card, flex: '1 1 160px', textDecoration: 'none', color: 'inherit' };
  // A figure that is not a set of tickets (a percentage) is not a link to the list.
  return href ? (
    <a href={href} style={style} data-testid={testId}>
      {body}
    </a>
  ) : (
    <div style={style} data-testid={testId}>
      {body}
    </div>
  );
};

const Chart: React.FC<{ days: Day[]; categories: string[] }> = ({ days, categories }) => {
  const width = 760;
  const height = 220;
  const pad = { left: 34, right: 10, top: 10, bottom: 28 };
  const max = Math.max(1, ...days.map((d) => d.total));
  const slot = (width - pad.left - pad.right) / Math.max(days.length, 1);
  const barWidth = Math.max(slot * 0.7, 2);
  const y = (v: number) => ((height - pad.top - pad.bottom) * v) / max;
  const ticks = [0, Math.ceil(max / 2), max];
  return (
    <div>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label="Tickets per day"
        data-testid="tickets-chart"
      >
        {ticks.map((t) => (
          <g key={t}>
            <line
              x1={pad.left}
              x2={width - pad.right}
              y1={height - pad.bottom - y(t)}
              y2={height - pad.bottom - y(t)}
              stroke="#e5e7eb"
            />
            <text x={pad.left - 6} y={height - pad.bottom - y(t) + 4} fontSize="10" textAnchor="end" fill="#6b7280">
              {t}
            </text>
          </g>
        ))}
        {days.map((d, i) => {
          let stacked = 0;
          const x = pad.left + i * slot + (slot - barWidth) / 2;
          return (
            <g key={d.day}>
              <title>{`${d.day}: ${d.total} ticket(s)`}</title>
              {categories.map((c, ci) => {
                const n = d.byCategory[c] ?? 0;
                if (!n) return null;
                const h = y(n);
                stacked += h;
                return (
                  <rect
                    key={c}
                    x={x}
                    y={height - pad.bottom - stacked}
                    width={barWidth}
                    height={h}
                    fill={PALETTE[ci % PALETTE.length]}
                  />
                );
              })}
              {i % 5 === 0 || i === days.length - 1 ? (
                <text x={x + barWidth / 2} y={height - 10} fontSize="10" textAnchor="middle" fill="#6b7280">
                  {d.day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 14, fontSize: 12, marginTop: 6 }}>
        {categories.map((c, ci) => (
          <span key={c}>
            <span
              style={{
                display: 'inline-block',
                width: 10,
                height: 10,
                background: PALETTE[ci % PALETTE.length],
                marginRight: 4,
              }}
            />
            {c}
          </span>
        ))}
      </div>
    </div>
  );
};

const TicketList: React.FC<{ tickets: Ticket[]; empty: string; testId: string }> = ({ tickets, empty, testId }) => {
  const h = new ViewHelpers();
  if (!tickets.length) return <Text color="grey60">{empty}</Text>;
  return (
    <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid={testId}>
      {tickets.map((t) => (
        <li key={t.id} style={{ padding: '8px 0', borderBottom: '1px solid #f0f0f0' }}>
          <a href={h.recordActionUrl({ resourceId: 'tickets', recordId: t.id, actionName: 'show' })}>
            <strong>{t.ticketNumber}</strong> {t.subject}
          </a>
          <div style={{ fontSize: 12, color: '#6b7280' }}>
            {t.name} · {t.status.replace('_', ' ')} · {new Date(t.createdAt).toLocaleString()}
          </div>
        </li>
      ))}
    </ul>
  );
};

const Dashboard: React.FC = () => {
  const [data, setData] = useState<Data | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    new ApiClient()
      .getDashboard()
      .then((res) => setData(res.data as Data))
      .catch(() => setFailed(true));
  }, []);
  const h = new ViewHelpers();
  const list = (query: string) => `${h.resourceUrl({ resourceId: 'tickets' })}?${query}`;
  if (failed) return <Box p="xxl">The dashboard could not be loaded.</Box>;
  if (!data) return <Box p="xxl">Loading…</Box>;
  return (
    <Box p="xxl" data-testid="dashboard">
      <H2>Support queue</H2>
      <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap', marginBottom: 24 }}>
        {data.headline.map((c) => (
          <Count
            key={c.key}
            label={c.label}
            value={c.value}
            testId={`count-${c.key}`}
            href={c.query === null ? null : list(c.query)}
          />
        ))}
      </div>
      <div style={{ ...card, marginBottom: 24 }}>
        <H5>Tickets per day, last 30 days, by category</H5>
        <Chart days={data.days} categories={data.categories} />
      </div>
      <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
        <div style={{ ...card, flex: '1 1 340px' }}>
          <H5>Oldest pending</H5>
          <TicketList tickets={data.oldestPending} empty="Nothing pending." testId="oldest-pending" />
        </div>
        <div style={{ ...card, flex: '1 1 340px' }}>
          <H5>Assigned to me</H5>
          <TicketList tickets={data.myAssigned} empty="Nothing assigned to you." testId="my-assigned" />
        </div>
      </div>
    </Box>
  );
};

export default Dashboard;

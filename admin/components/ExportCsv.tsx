// Export CSV: downloads every ticket matching the list's current filters, search and sort (the
// list's query string is kept in the URL because the action opens in a drawer).
import React from 'react';
import { useLocation } from 'react-router';
import { ViewHelpers, type ActionProps } from 'adminjs';
import { Box, H4, Text } from '@adminjs/design-system';

const LABELS: Record<string, string> = {
  'filters.q': 'Search',
  'filters.status': 'Status',
  'filters.category': 'Category',
  'filters.assignedToId': 'Assigned to',
  'filters.createdAt~~from': 'Created from',
  'filters.createdAt~~to': 'Created until',
};

const ExportCsv: React.FC<ActionProps> = () => {
  const location = useLocation();
  const current = new URLSearchParams(location.search);
  const kept = new URLSearchParams();
  current.forEach((value, key) => {
    if (key.startsWith('filters.') || key === 'sortBy' || key === 'direction') kept.set(key, value);
  });
  const search = kept.toString();
  const href = new ViewHelpers().urlBuilder(['export', 'tickets.csv'], search ? `?${search}` : '');
  const active = [...kept.entries()].filter(([k]) => k.startsWith('filters.'));
  return (
    <Box variant="grey" p="xl" data-testid="export-csv">
      <H4>Export tickets as CSV</H4>
      <Text mb="lg">
        Every ticket matching the list's current filters and search (all pages), UTF-8 with a header row. Archived
        tickets are included only when the status filter asks for them.
      </Text>
      <ul style={{ marginBottom: 16 }}>
        {active.length === 0 ? <li>No filters: all tickets that are not archived.</li> : null}
        {active.map(([k, v]) => (
          <li key={k}>
            {LABELS[k] ?? k}: <strong>{v}</strong>
          </li>
        ))}
      </ul>
      <a
        href={href}
        download
        data-testid="export-download"
        style={{
          display: 'inline-block',
          padding: '10px 18px',
          background: '#3040d6',
          color: '#fff',
          borderRadius: 4,
          textDecoration: 'none',
          fontWeight: 600,
        }}
      >
        Download CSV
      </a>
    </Box>
  );
};

export default ExportCsv;

// Confirmation for a bulk action: the selected tickets, resolution notes for Resolve, the value
// for a "Set <field>" action, and one POST. The notice says how many changed and which were skipped and why.
import React, { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { listSearchOf } from './list-client.js';
import { withRefresh } from './RecordActionForm.js';
import { ApiClient, useNotice, useTranslation, type ActionProps } from 'adminjs';
import { Box, Button, H4, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';

type Custom = {
  description?: string;
  withNotes?: boolean;
  setField?: { path: string; values: string[] };
  /** The "Tag…" action: tag names, separated by commas. */
  tagInput?: boolean;
};

const BulkActionForm: React.FC<ActionProps> = ({ action, records, resource }) => {
  const navigate = useNavigate();
  const location = useLocation();
  const addNotice = useNotice();
  const { translateAction } = useTranslation();
  const custom = (action.custom ?? {}) as Custom;
  const [notes, setNotes] = useState('');
  const { translateProperty } = useTranslation();
  const [value, setValue] = useState(custom.setField?.values[0] ?? '');
  const [tags, setTags] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  if (!records?.length) return <Text>Select tickets in the list first.</Text>;
  const label = translateAction(action.name, resource.id);

  const submit = async () => {
    setBusy(true);
    try {
      const res = await new ApiClient().bulkAction({
        resourceId: resource.id,
        recordIds: records.map((r) => r.id),
        actionName: action.name,
        method: 'post',
        data: {
          ...(custom.withNotes
            ? { resolutionNotes: notes }
            : custom.setField
              ? { value }
              : custom.tagInput
                ? { tags }
                : {}),
          // The list this was opened from (bulk calls take no query params): the answer's
          // redirect keeps its filters and page.
          listSearch: listSearchOf(location.search),
        },
      });
      const body = res.data as {
        notice?: { message: string; type?: 'success' | 'error' | 'info' };
        redirectUrl?: string;
      };
      if (body.notice) addNotice({ message: body.notice.message, type: body.notice.type ?? 'success' });
      setMessage(body.notice?.message ?? null);
      if (body.redirectUrl && body.notice?.type !== 'error') navigate(withRefresh(body.redirectUrl));
    } catch {
      setMessage('The request failed. Please try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="grey" p="xl" data-testid={`bulk-form-${action.name}`}>
      <H4>
        {label}: {records.length} ticket{records.length === 1 ? '' : 's'}
      </H4>
      {custom.description ? <Text mb="lg">{custom.description}</Text> : null}
      <ul style={{ margin: '0 0 16px', paddingLeft: 18 }}>
        {records.map((r) => (
          <li key={r.id} style={{ marginBottom: 4 }}>
            {String(r.params.ticketNumber)} — {String(r.params.subject)}{' '}
            <em style={{ color: '#6b7280' }}>({String(r.params.status).replace('_', ' ')})</em>
          </li>
        ))}
      </ul>
      {custom.withNotes ? (
        <Box mb="lg">
          <Label htmlFor="bulkResolutionNotes">Resolution notes (kept as is where empty)</Label>
          <TextArea
            id="bulkResolutionNotes"
            rows={4}
            width={1}
            value={notes}
            onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setNotes(e.target.value)}
          />
        </Box>
      ) : null}
      {custom.setField ? (
        <Box mb="lg">
          <Label htmlFor="bulkSetValue">{translateProperty(custom.setField.path, resource.id)}</Label>
          <select
            id="bulkSetValue"
            data-testid="bulk-set-value"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            style={{ padding: '8px 10px', minWidth: 200, border: '1px solid #c0c0ca', borderRadius: 4 }}
          >
            {custom.setField.values.map((v) => (
              <option key={v} value={v}>
                {translateProperty(`${custom.setField!.path}.${v}`, resource.id)}
              </option>
            ))}
          </select>
        </Box>
      ) : null}
      {custom.tagInput ? (
        <Box mb="lg">
          <Label htmlFor="bulkTags">Tags (separated by commas)</Label>
          <input
            id="bulkTags"
            data-testid="bulk-tags"
            value={tags}
            placeholder="billing, vip"
            onChange={(e) => setTags(e.target.value)}
            style={{
              padding: '8px 10px',
              width: '100%',
              boxSizing: 'border-box',
              border: '1px solid #c0c0ca',
              borderRadius: 4,
            }}
          />
        </Box>
      ) : null}
      {message ? <MessageBox variant="info" mb="lg" message={message} /> : null}
      <Button variant="contained" type="button" disabled={busy} onClick={submit} data-testid="bulk-submit">
        {label}
      </Button>
    </Box>
  );
};

export default BulkActionForm;

// The small form behind every record workflow action (Assign to me, Resolve, Reopen, Archive,
// Restore, Deactivate): says what will happen, takes resolution notes where they apply, and
// POSTs. Nothing changes until the button is pressed.
import React, { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { listParams } from './list-client.js';
import { ApiClient, useCurrentAdmin, useNotice, useTranslation, type ActionProps } from 'adminjs';
import { Box, Button, CheckBox, H4, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';

type Custom = { serviceAction?: string; description?: string; withNotes?: boolean };

export const withRefresh = (url: string) => `${url}${url.includes('?') ? '&' : '?'}refresh=true`;

const RecordActionForm: React.FC<ActionProps> = ({ action, record, resource }) => {
  const navigate = useNavigate();
  const location = useLocation();
  const addNotice = useNotice();
  const [currentAdmin] = useCurrentAdmin();
  const { translateAction } = useTranslation();
  const custom = (action.custom ?? {}) as Custom;
  const [notes, setNotes] = useState('');
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!record) return null;

  const label = translateAction(action.name, resource.id);
  const assignee = record.params.assignedToId as string | null;
  const takenByOther =
    custom.serviceAction === 'assign_to_me' && !!assignee && assignee !== (currentAdmin as { id?: string } | null)?.id;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const data: Record<string, string> = {};
      if (custom.withNotes) data.resolutionNotes = notes;
      if (takenByOther) data.force = String(force);
      const res = await new ApiClient().recordAction({
        resourceId: resource.id,
        recordId: record.id,
        actionName: action.name,
        method: 'post',
        data,
        // The list this was opened from: the answer's redirect keeps its filters and page.
        params: listParams(location.search),
      });
      const body = res.data as {
        notice?: { message: string; type?: 'success' | 'error' | 'info' };
        redirectUrl?: string;
      };
      if (body.notice) addNotice({ message: body.notice.message, type: body.notice.type ?? 'success' });
      if (body.notice?.type === 'error') setError(body.notice.message);
      else if (body.redirectUrl) navigate(withRefresh(body.redirectUrl));
    } catch {
      setError('The request failed. Please try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="grey" p="xl" data-testid={`action-form-${action.name}`}>
      <H4>
        {label}: {String(record.title || record.params.ticketNumber || '')}
      </H4>
      {custom.description ? <Text mb="lg">{custom.description}</Text> : null}
      {takenByOther ? (
        <Box mb="lg">
          <MessageBox
            variant="info"
            mb="default"
            message={`Already assigned to ${String(record.params.assignedToName ?? 'someone else')}.`}
          />
          <CheckBox id="force" checked={force} onChange={() => setForce(!force)} />
          <Label inline htmlFor="force" ml="default">
            Take it over
          </Label>
        </Box>
      ) : null}
      {custom.withNotes ? (
        <Box mb="lg">
          <Label htmlFor="resolutionNotes">Resolution notes</Label>
          <TextArea
            id="resolutionNotes"
            name="resolutionNotes"
            rows={6}
            width={1}
            value={notes}
            onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setNotes(e.target.value)}
          />
        </Box>
      ) : null}
      {error ? <MessageBox variant="danger" mb="lg" message={error} /> : null}
      <Button variant="contained" type="button" disabled={busy} onClick={submit} data-testid="action-submit">
        {label}
      </Button>
    </Box>
  );
};

export default RecordActionForm;

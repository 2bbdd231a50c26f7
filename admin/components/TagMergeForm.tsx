// The Tags resource's "Merge into…" form: pick the tag that stays; every ticket of this tag gets
// it instead, and this tag is deleted (src/tags/service.ts mergeTag). Nothing changes before the
// button is pressed.
import React, { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, H4, Label, MessageBox, Text } from '@adminjs/design-system';

type Choice = { id: string; name: string };

const TagMergeForm: React.FC<ActionProps> = ({ action, record, resource }) => {
  const navigate = useNavigate();
  const addNotice = useNotice();
  const [choices, setChoices] = useState<Choice[] | null>(null);
  const [into, setInto] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!record) return;
    void new ApiClient()
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name })
      .then((res) => {
        const list = ((res.data as { choices?: Choice[] }).choices ?? [])
          .slice()
          .sort((a, b) => a.name.localeCompare(b.name));
        setChoices(list);
        setInto(list[0]?.id ?? '');
      })
      .catch(() => setError('The tags could not be loaded.'));
  }, [record?.id]);

  if (!record) return null;
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await new ApiClient().recordAction({
        resourceId: resource.id,
        recordId: record.id,
        actionName: action.name,
        method: 'post',
        data: { into },
      });
      const body = res.data as {
        notice?: { message: string; type?: 'success' | 'error' | 'info' };
        redirectUrl?: string;
      };
      if (body.notice) addNotice({ message: body.notice.message, type: body.notice.type ?? 'success' });
      if (body.notice?.type === 'error') setError(body.notice.message);
      else if (body.redirectUrl) navigate(`${body.redirectUrl}?refresh=true`);
    } catch {
      setError('The request failed. Please try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="grey" p="xl" data-testid="tag-merge-form">
      <H4>Merge “{String(record.params.name)}” into another tag</H4>
      <Text mb="lg">
        Every ticket tagged “{String(record.params.name)}” gets the chosen tag instead; this tag is then deleted.
      </Text>
      {choices && !choices.length ? <Text mb="lg">There is no other tag to merge into.</Text> : null}
      {choices?.length ? (
        <Box mb="lg">
          <Label htmlFor="mergeInto">Merge into</Label>
          <select
            id="mergeInto"
            data-testid="merge-into"
            value={into}
            onChange={(e) => setInto(e.target.value)}
            style={{ padding: '8px 10px', minWidth: 240, border: '1px solid #c0c0ca', borderRadius: 4 }}
          >
            {choices.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Box>
      ) : null}
      {error ? <MessageBox variant="danger" mb="lg" message={error} /> : null}
      <Button variant="contained" type="button" disabled={busy || !into} onClick={submit} data-testid="merge-submit">
        Merge
      </Button>
    </Box>
  );
};

export default TagMergeForm;

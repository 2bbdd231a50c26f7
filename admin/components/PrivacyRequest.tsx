// Administration → Privacy → "Export or erase a person": one address, two answers. The export is a
// plain download (the ZIP streams from /admin/privacy/export); the erasure is confirmed with a
// checkbox, queued, and its progress page opens (the list shows every erasure's progress).
import React, { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiClient, ViewHelpers, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, CheckBox, H4, Input, Label, MessageBox, Text } from '@adminjs/design-system';

const PrivacyRequest: React.FC<ActionProps> = ({ action, resource }) => {
  const navigate = useNavigate();
  const addNotice = useNotice();
  const [email, setEmail] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const valid = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim());
  const exportHref = new ViewHelpers().urlBuilder(['privacy', 'export'], `?email=${encodeURIComponent(email.trim())}`);

  const erase = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await new ApiClient().resourceAction({
        resourceId: resource.id,
        actionName: action.name,
        method: 'post',
        data: { email: email.trim() },
      });
      const body = res.data as { notice?: { message: string; type?: 'success' | 'error' }; redirectUrl?: string };
      if (body.notice) addNotice({ message: body.notice.message, type: body.notice.type ?? 'success' });
      if (body.notice?.type === 'error') setError(body.notice.message);
      else if (body.redirectUrl) navigate(body.redirectUrl);
    } catch {
      setError('The request failed; try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="grey" p="xl" data-testid="privacy-request">
      <H4>Export or erase a person</H4>
      <Text mb="lg">
        Everything held about one email address: their tickets, messages, files, ratings, emails, inbound mails and the
        audit events about them.
      </Text>
      <Label htmlFor="privacy-email">Email address</Label>
      <Input
        id="privacy-email"
        type="email"
        value={email}
        width={1}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => setEmail(e.target.value)}
      />
      {error ? <MessageBox mt="lg" message={error} variant="danger" /> : null}
      <Box mt="xl">
        <H4>Access request</H4>
        <Text mb="default">One ZIP with JSON files and the files themselves. The export is recorded.</Text>
        <a
          href={valid ? exportHref : undefined}
          aria-disabled={!valid}
          download
          data-testid="privacy-export"
          style={{
            display: 'inline-block',
            padding: '10px 18px',
            background: valid ? '#3040d6' : '#9aa0c8',
            color: '#fff',
            borderRadius: 4,
            textDecoration: 'none',
            fontWeight: 600,
          }}
        >
          Download export (ZIP)
        </a>
      </Box>
      <Box mt="xl">
        <H4>Erasure request</H4>
        <Text mb="default">
          Their name, address, messages, files, IP addresses and browser details are removed from every ticket, mail and
          log; staff replies stay with them redacted; ticket counts stay. This cannot be undone.
        </Text>
        <Box flex alignItems="center" mb="lg">
          <CheckBox id="privacy-confirm" checked={confirmed} onChange={() => setConfirmed(!confirmed)} />
          <Label inline htmlFor="privacy-confirm" ml="default">
            I have checked that this request comes from the person (or retention requires it).
          </Label>
        </Box>
        <Button variant="danger" disabled={!valid || !confirmed || busy} onClick={erase} data-testid="privacy-erase">
          Erase this person
        </Button>
      </Box>
    </Box>
  );
};

export default PrivacyRequest;

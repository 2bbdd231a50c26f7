// "My profile": the staff member's own settings. The morning digest email (src/sla/digest.ts)
// can be turned off here; the page posts to its own handler (admin/profile-page.ts).
import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, H2, Text } from '@adminjs/design-system';

const api = new ApiClient();

const ProfilePage: React.FC = () => {
  const [optOut, setOptOut] = useState<boolean | null>(null);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState('');
  useEffect(() => {
    api
      .getPage<{ digest_opt_out: boolean }>({ pageName: 'profile' })
      .then((res) => setOptOut(res.data.digest_opt_out))
      .catch(() => setMessage('Your profile could not be loaded.'));
  }, []);
  const toggle = async (receive: boolean) => {
    setSaving(true);
    try {
      const res = await api.getPage<{ digest_opt_out?: boolean; error?: string }>({
        pageName: 'profile',
        method: 'post',
        data: { digest_opt_out: !receive },
      });
      if (typeof res.data.digest_opt_out === 'boolean') {
        setOptOut(res.data.digest_opt_out);
        setMessage(res.data.digest_opt_out ? 'Saved: no morning digest.' : 'Saved: you get the morning digest.');
      } else setMessage(res.data.error ?? 'Not saved.');
    } catch {
      setMessage('Not saved.');
    } finally {
      setSaving(false);
    }
  };
  return (
    <Box p="xxl" data-testid="profile-page">
      <H2>My profile</H2>
      <Box bg="white" p="xl" style={{ borderRadius: 6, maxWidth: 640 }}>
        <label style={{ display: 'flex', gap: 10, alignItems: 'flex-start', fontSize: 14 }}>
          <input
            type="checkbox"
            data-testid="digest-toggle"
            checked={optOut === null ? false : !optOut}
            disabled={optOut === null || saving}
            onChange={(e) => void toggle(e.target.checked)}
          />
          <span>
            <strong>Morning digest email</strong>
            <br />
            Every morning: your open tickets, what is breaching its SLA soon and the new unassigned tickets.
          </span>
        </label>
        <Text mt="lg" data-testid="profile-message" style={{ minHeight: 20, color: '#4b5563' }}>
          {message}
        </Text>
      </Box>
    </Box>
  );
};

export default ProfilePage;

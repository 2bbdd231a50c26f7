// The top-right user menu, overriding AdminJS's LoggedIn: its "Log out" sends a POST to the
// logout path. AdminJS's own menu navigates to GET /admin/logout, and a GET that signs out can be
// triggered by any link or <img> on another site; GET /admin/logout now only shows a
// confirmation form (admin/router.ts).
import React from 'react';
import { useTranslation, type CurrentAdmin } from 'adminjs';
import { Box, CurrentUserNav } from '@adminjs/design-system';

type Props = { session: CurrentAdmin; paths: { logoutPath: string } };

function postLogout(logoutPath: string) {
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = logoutPath;
  form.style.display = 'none';
  document.body.appendChild(form);
  form.submit();
}

const LoggedIn: React.FC<Props> = ({ session, paths }) => {
  const { translateButton } = useTranslation();
  const dropActions = [
    {
      label: translateButton('logout'),
      icon: 'LogOut',
      onClick: (event: React.MouseEvent) => {
        event.preventDefault();
        postLogout(paths.logoutPath);
      },
    },
  ];
  return (
    <Box flexShrink={0} data-css="logged-in">
      <CurrentUserNav
        name={session.email}
        title={session.title}
        avatarUrl={session.avatarUrl}
        dropActions={dropActions}
      />
    </Box>
  );
};

export default LoggedIn;

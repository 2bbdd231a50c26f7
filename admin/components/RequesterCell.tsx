// The list's requester cell: the name, the email address on hover (and when there is no name).
import React from 'react';
import type { BasePropertyProps } from 'adminjs';

const RequesterCell: React.FC<BasePropertyProps> = ({ record }) => {
  const name = String(record?.params?.name ?? '');
  const email = String(record?.params?.email ?? '');
  return (
    <span className="cd-cell-line" title={email}>
      {name || email}
    </span>
  );
};

export default RequesterCell;

// The moderators a ticket can be assigned to, from the Ticket resource's hidden `assignees` action
// (moderators may not read the Users resource). Used by the edit form's and filter's select
// (AssigneeSelect.tsx) and the workspace's side column (WorkspaceSideFields.tsx).
import { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';

export type AssigneeOption = { id: string; name: string };

export function useAssignees(resourceId: string): AssigneeOption[] {
  const [options, setOptions] = useState<AssigneeOption[]>([]);
  useEffect(() => {
    new ApiClient()
      .resourceAction({ resourceId, actionName: 'assignees' })
      .then((res) => setOptions((res.data as { assignees?: AssigneeOption[] }).assignees ?? []))
      .catch(() => setOptions([]));
  }, [resourceId]);
  return options;
}

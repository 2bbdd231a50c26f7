// Picking an assignee (edit form) or filtering by one (list filter). The choices come from the
// Ticket resource's hidden `assignees` action: moderators may not read the Users resource.
import React from 'react';
import { type BasePropertyProps, useTranslation } from 'adminjs';
import { Box, Label } from '@adminjs/design-system';
import { useAssignees, type AssigneeOption as Option } from './assignees.js';

const selectStyle: React.CSSProperties = {
  width: '100%',
  padding: '8px',
  border: '1px solid #c0c0ca',
  borderRadius: 4,
  background: '#fff',
  fontSize: 14,
};

const AssigneeSelect: React.FC<BasePropertyProps & { filter?: Record<string, unknown> }> = (props) => {
  const { property, record, onChange, where, filter, resource } = props;
  const { translateProperty } = useTranslation();
  const options = useAssignees(resource.id);

  const isFilter = where === 'filter';
  const value = String((isFilter ? filter?.[property.path] : record?.params?.[property.path]) ?? '');
  const fixed: Option[] = isFilter
    ? [
        { id: '', name: 'Anyone' },
        { id: 'me', name: 'Me' },
        { id: 'none', name: 'Unassigned' },
      ]
    : [{ id: '', name: 'Unassigned' }];
  // The current assignee stays selectable even if they are no longer an active moderator.
  const current = record?.params?.assignedToName as string | undefined;
  const extra =
    !isFilter && value && current && !options.some((o) => o.id === value) ? [{ id: value, name: current }] : [];

  return (
    <Box mb={isFilter ? 'lg' : 'xl'}>
      <Label htmlFor={`assignee-${where}`}>{translateProperty(property.path, resource.id)}</Label>
      <select
        id={`assignee-${where}`}
        name={property.path}
        data-testid={`assignee-select-${where}`}
        style={selectStyle}
        value={value}
        onChange={(e) => onChange?.(property.path, e.target.value)}
      >
        {[...fixed, ...extra, ...options].map((o) => (
          <option key={o.id || 'empty'} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </Box>
  );
};

export default AssigneeSelect;

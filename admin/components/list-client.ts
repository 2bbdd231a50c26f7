// The ticket list's side of its hidden resource actions (admin/actions/ticket-list.actions.ts).
import { ApiClient } from 'adminjs';

export type ViewJson = {
  id: string;
  name: string;
  builtin: boolean;
  shared: boolean;
  editable: boolean;
  owner: { id: string; name: string } | null;
  count?: number;
  count_capped?: boolean;
};
export type Preferences = { time_zone: string | null; page_size: number | null };
type Notice = { message: string; type?: 'success' | 'error' | 'info' };

const api = new ApiClient();
const RESOURCE = 'tickets';

export async function loadListMeta(): Promise<{ views: ViewJson[]; preferences: Preferences; now: string }> {
  const res = await api.resourceAction({ resourceId: RESOURCE, actionName: 'listMeta' });
  return res.data as { views: ViewJson[]; preferences: Preferences; now: string };
}

/** Tickets matching the list's filters created after `since` (the "n new" bar). */
export async function pollNew(search: string, since: string): Promise<{ new_count: number; now: string }> {
  const params = Object.fromEntries(new URLSearchParams(search).entries());
  const res = await api.resourceAction({ resourceId: RESOURCE, actionName: 'listPulse', params: { ...params, since } });
  return res.data as { new_count: number; now: string };
}

export async function saveView(
  name: string,
  shared: boolean,
  search: string,
): Promise<{ notice?: Notice; view?: ViewJson }> {
  const res = await api.resourceAction({
    resourceId: RESOURCE,
    actionName: 'saveView',
    method: 'post',
    data: { name, shared, search },
  });
  return res.data as { notice?: Notice; view?: ViewJson };
}

export async function removeView(id: string): Promise<{ notice?: Notice }> {
  const res = await api.resourceAction({
    resourceId: RESOURCE,
    actionName: 'deleteView',
    method: 'post',
    data: { id },
  });
  return res.data as { notice?: Notice };
}

export async function savePreferences(
  p: Partial<Preferences>,
): Promise<{ preferences?: Preferences; notice?: Notice }> {
  const res = await api.resourceAction({
    resourceId: RESOURCE,
    actionName: 'listPreferences',
    method: 'post',
    data: p,
  });
  return res.data as { preferences?: Preferences; notice?: Notice };
}

export async function assignToMe(recordId: string): Promise<{ notice?: Notice }> {
  const res = await api.recordAction({
    resourceId: RESOURCE,
    recordId,
    actionName: 'assignToMe',
    method: 'post',
    data: {},
  });
  return res.data as { notice?: Notice };
}

/** The list page's own parameters (what actions and drawers must hand back). */
export const LIST_PARAM = /^(filters\.|page$|perPage$|sortBy$|direction$)/;

/** Those parameters of a page's query string, as request params for an action call. */
export function listParams(search: string): Record<string, string> {
  return Object.fromEntries([...new URLSearchParams(search).entries()].filter(([k]) => LIST_PARAM.test(k)));
}

/** The same as a query string ('' when there are none). */
export function listSearchOf(search: string): string {
  const kept = new URLSearchParams(listParams(search)).toString();
  return kept ? `?${kept}` : '';
}

// The workspace's side of the hidden `tags` and `cannedReplies` record actions
// (admin/actions/ticket-tags.actions.ts). Bundled with WorkspaceTags and CannedReplyPicker.
import { ApiClient } from 'adminjs';

export type TagJson = { id: string; name: string };
export type TagSuggestion = TagJson & { ticket_count: number };
export type CannedItem = { id: string; name: string; scope: 'shared' | 'personal'; preview: string };

type Answer = {
  tags?: TagJson[];
  suggestions?: TagSuggestion[];
  items?: CannedItem[];
  text?: string;
  notice?: { message: string; type?: string };
};

const api = new ApiClient();
const RESOURCE = 'tickets';

async function call(recordId: string, actionName: string, data?: Record<string, string>): Promise<Answer> {
  const res = await api.recordAction({
    resourceId: RESOURCE,
    recordId,
    actionName,
    ...(data ? { method: 'post' as const, data } : {}),
  });
  const body = res.data as Answer;
  // A service error comes back as an error notice (recordErrorResponse), not as a failed request.
  if (body.notice?.type === 'error') throw new Error(body.notice.message);
  return body;
}

export const loadTags = async (ticketId: string) => (await call(ticketId, 'tags')).tags ?? [];
export const addTags = async (ticketId: string, names: string) =>
  (await call(ticketId, 'tags', { op: 'add', tags: names })).tags ?? [];
export const removeTag = async (ticketId: string, tag: string) =>
  (await call(ticketId, 'tags', { op: 'remove', tag })).tags ?? [];
export const suggestTags = async (ticketId: string, q: string) =>
  (await call(ticketId, 'tags', { op: 'suggest', q })).suggestions ?? [];

export const searchCanned = async (ticketId: string, q: string) =>
  (await call(ticketId, 'cannedReplies', { op: 'list', q })).items ?? [];
/** The reply's text for this ticket; the server counts it as one use. */
export const renderCanned = async (ticketId: string, id: string) =>
  (await call(ticketId, 'cannedReplies', { op: 'render', id })).text ?? '';

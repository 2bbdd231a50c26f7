// The ticket workspace's side of its two hidden record actions (admin/actions/
// ticket-conversation.actions.ts), its JSON shapes, and small display helpers. Shared by
// TicketWorkspace.tsx and its parts (Workspace*.tsx); bundled with them.
import { absoluteDate } from './dates.js';
import { ApiClient, type RecordJSON } from 'adminjs';

export type Delivery = {
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  error: string | null;
  sent_at: string | null;
};

export type ThreadMessage = {
  id: string;
  kind: 'submission' | 'reply' | 'note' | 'customer';
  direction: 'in' | 'out' | 'internal';
  author: { type: 'customer' | 'staff'; id: string | null; name: string; email: string };
  body_text: string;
  created_at: string;
  channel: string;
  delivery: Delivery | null;
  attachments?: FileRef[];
  refused_attachments?: Array<{ file_name: string; size: number; reason: string; detail: string }>;
};

export type FileRef = { id: string; file_name: string; content_type: string; size: number };

export type Present = { user_id: string; name: string; state: 'viewing' | 'typing'; seen_at: string };

export type RatingJson = {
  id: string;
  score: 'good' | 'bad';
  comment: string;
  resolved_at: string;
  updated_at: string;
};

export type ThreadAnswer = {
  record: RecordJSON;
  messages: ThreadMessage[];
  /** The customer's satisfaction ratings, newest resolution first. */
  ratings?: RatingJson[];
  newest_message_id: string;
  /** POST only: a newer message arrived; nothing was sent. */
  stale?: boolean;
  notice?: { message: string; type?: string };
};

/** presence.service HEARTBEAT_INTERVAL_MS (the server ignores beats older than 20 s). */
export const HEARTBEAT_MS = 5_000;
/** Keystrokes within this long count as "typing a reply". */
export const TYPING_MS = 6_000;

export type PresenceAnswer = {
  record: RecordJSON;
  others?: Present[];
  thread_version?: string;
  notice?: { message: string };
};

export type SendInput = {
  kind: 'reply' | 'note';
  body: string;
  status?: 'resolved';
  last_seen_message_id: string;
};

const api = new ApiClient();
const RESOURCE = 'tickets';

export async function loadThread(recordId: string): Promise<ThreadAnswer> {
  const res = await api.recordAction({ resourceId: RESOURCE, recordId, actionName: 'conversation' });
  return res.data as ThreadAnswer;
}

export async function sendMessage(recordId: string, data: SendInput): Promise<ThreadAnswer> {
  const res = await api.recordAction({
    resourceId: RESOURCE,
    recordId,
    actionName: 'conversation',
    method: 'post',
    data,
  });
  return res.data as ThreadAnswer;
}

/** The panel's root path (ADMIN_ROOT_PATH), as AdminJS hands it to the page. */
export const rootPath = () =>
  (window as unknown as { REDUX_STATE?: { paths?: { rootPath?: string } } }).REDUX_STATE?.paths?.rootPath ?? '/admin';

/** A panel link to a thread file (the session-checked download route). */
export const fileUrl = (id: string) => `${rootPath()}/attachments/${encodeURIComponent(id)}`;

/**
 * A message with files: multipart to the workspace upload route (AdminJS's own route cannot take
 * files). The answer has the conversation action's shape; an error comes back as `notice`.
 */
export async function sendMessageWithFiles(recordId: string, data: SendInput, files: File[]): Promise<ThreadAnswer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(data)) if (v !== undefined) form.append(k, String(v));
  for (const f of files) form.append('attachments', f, f.name);
  const res = await fetch(`${rootPath()}/workspace/tickets/${encodeURIComponent(recordId)}/messages`, {
    method: 'POST',
    credentials: 'same-origin',
    body: form,
  });
  const answer = (await res.json().catch(() => ({}))) as Partial<ThreadAnswer> & {
    error?: { message?: string; fields?: Record<string, string[]> };
  };
  if (res.ok || answer.stale) return answer as ThreadAnswer;
  const detail = Object.values(answer.error?.fields ?? {}).flat().join('; ');
  return { notice: { message: detail || answer.error?.message || `The message could not be sent (${res.status}).`, type: 'error' } } as ThreadAnswer;
}

/** "1.2 MB", "34 KB". */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export type SaveAnswer = { record?: RecordJSON; notice?: { message: string; type?: string }; code?: string };

/**
 * Changes fields of the ticket in place through its edit action (updateTicket, as the edit form
 * and PATCH do). `updatedAt` is the version shown: a ticket changed since is refused (stale_edit).
 */
export async function saveTicketFields(
  recordId: string,
  fields: Record<string, string>,
  updatedAt: string,
): Promise<SaveAnswer> {
  const res = await api.recordAction({
    resourceId: RESOURCE,
    recordId,
    actionName: 'edit',
    method: 'post',
    data: { ...fields, updatedAt },
  });
  return res.data as SaveAnswer;
}

export async function sendHeartbeat(recordId: string, state: 'viewing' | 'typing'): Promise<PresenceAnswer> {
  const res = await api.recordAction({
    resourceId: RESOURCE,
    recordId,
    actionName: 'presence',
    method: 'post',
    data: { state },
  });
  return res.data as PresenceAnswer;
}

/** Leaving the page: `keepalive` lets the request finish while the tab closes. Best effort (the TTL covers a loss). */
export function sendLeave(recordId: string): void {
  void fetch(`${rootPath()}/api/resources/${RESOURCE}/records/${encodeURIComponent(recordId)}/presence`, {
    method: 'POST',
    keepalive: true,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ state: 'left' }),
  }).catch(() => {});
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", then the date. */
export function relativeTime(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 30) return `${days} d ago`;
  return new Date(iso).toLocaleDateString();
}

/** The panel's one absolute format, in the moderator's time zone (dates.ts). */
export const absoluteTime = (iso: string) => absoluteDate(iso);

/** Keys typed into a field are text, not shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable;
}

// A ticket's show page as the moderator's workspace: the thread (oldest first), the reply box
// (Reply / Reply and resolve / Add note), who else has the ticket open or is typing, and the
// ticket's facts at the side; below, the remaining ticket details as on AdminJS's show page.
//
// Collision guard, client side:
// - `ackId` is the newest message the moderator has taken in. Sends carry it as
//   last_seen_message_id; the server refuses with stale_thread when something newer exists, and
//   the page then asks "A new message arrived — send anyway?" (sending again with the new id
//   only on confirmation).
// - A heartbeat every 5 s records presence (viewing, or typing while keys are being pressed) and
//   returns the others present plus the thread's version; when the version moves the thread is
//   reloaded. New messages are marked "New"; with an empty reply box they count as read at once,
//   while a draft is open they do not (that is the collision the guard is for).
// Keyboard: `r` reply mode, `n` note mode (both focus the box; ignored while typing in a field),
// Ctrl/Cmd+Enter sends.
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { BasePropertyComponent, type ActionProps, type RecordJSON } from 'adminjs';
import { Box, H4, Loader } from '@adminjs/design-system';
import WorkspaceReplyBox, { type Mode, type SendKind } from './WorkspaceReplyBox.js';
import { PresenceLine, WorkspaceHeader, WorkspaceSide } from './WorkspaceSide.js';
import { WorkspaceRatings } from './WorkspaceRatings.js';
import WorkspaceThread from './WorkspaceThread.js';
import CannedReplyPicker from './CannedReplyPicker.js';
import WorkspaceTags from './WorkspaceTags.js';
import {
  HEARTBEAT_MS,
  isTypingTarget,
  loadThread,
  sendHeartbeat,
  sendLeave,
  sendMessage,
  sendMessageWithFiles,
  TYPING_MS,
  type Present,
  type ThreadAnswer,
  type RatingJson,
  type ThreadMessage,
} from './workspace-client.js';

/** Shown in the title, the side column or the thread: not repeated in "Ticket details". */
const SHOWN_ELSEWHERE = new Set([
  'ticketNumber',
  'subject',
  'message',
  'name',
  'email',
  'status',
  'priority',
  'category',
  'assignedToId',
  'createdAt',
  'updatedAt',
  'resolvedAt',
]);

const SENT: Record<SendKind, string> = {
  reply: 'Reply queued for email to the customer',
  reply_resolve: 'Reply queued for email; the ticket is resolved',
  note: 'Internal note added',
};

/** Messages after `ackId` (none when it is unknown). */
function messagesAfter(messages: ThreadMessage[], ackId: string | null): ThreadMessage[] {
  const i = messages.findIndex((m) => m.id === ackId);
  return i < 0 ? [] : messages.slice(i + 1);
}

const TicketWorkspace: React.FC<ActionProps> = ({ resource, record: initial }) => {
  const id = String(initial?.id ?? '');
  const [record, setRecord] = useState<RecordJSON | undefined>(initial);
  const [messages, setMessages] = useState<ThreadMessage[] | null>(null);
  const [ratings, setRatings] = useState<RatingJson[] | undefined>(undefined);
  const [ackId, setAckIdState] = useState<string | null>(null);
  const [others, setOthers] = useState<Present[]>([]);
  const [now, setNow] = useState(() => Date.now());
  const [mode, setMode] = useState<Mode>('reply');
  const [body, setBodyState] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Said next to the buttons, not as a floating notice: those pile up over the thread.
  const [sent, setSent] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [stale, setStale] = useState<{ kind: SendKind; newestId: string; count: number } | null>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  // Read by the heartbeat timer, which must not restart on every keystroke.
  const bodyRef = useRef('');
  const ackRef = useRef<string | null>(null);
  const lastTyped = useRef(0);
  const sentState = useRef<'viewing' | 'typing'>('viewing');
  const version = useRef<string | null>(null);
  const beatRef = useRef<() => void>(() => {});

  const setAckId = (v: string | null) => {
    ackRef.current = v;
    setAckIdState(v);
  };
  const setBody = (v: string) => {
    bodyRef.current = v;
    setBodyState(v);
  };
  // The show handler's extra params (the emails list) stay; the ticket's own fields are refreshed.
  const applyRecord = (fresh: RecordJSON | undefined) => {
    if (fresh?.params) setRecord((old) => ({ ...fresh, params: { ...(old?.params ?? {}), ...fresh.params } }));
  };
  const applyThread = (res: ThreadAnswer, acknowledge: boolean) => {
    setMessages(res.messages);
    setRatings(res.ratings);
    applyRecord(res.record);
    if (acknowledge) setAckId(res.newest_message_id);
  };

  const refresh = useCallback(async () => {
    try {
      const res = await loadThread(id);
      if (!res.messages) throw new Error(res.notice?.message ?? 'no thread');
      // A moderator with an empty box reads what arrives; one with a draft is asked on sending.
      applyThread(res, bodyRef.current.trim() === '');
      setLoadError(null);
    } catch (err) {
      setLoadError(`The conversation could not be loaded (${(err as Error).message}).`);
    }
  }, [id]);

  useEffect(() => {
    void refresh();
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(tick);
  }, [id]);

  // Presence heartbeat and thread poll.
  useEffect(() => {
    if (!id) return undefined;
    let stopped = false;
    const beat = async () => {
      const typing = bodyRef.current.trim() !== '' && Date.now() - lastTyped.current < TYPING_MS;
      sentState.current = typing ? 'typing' : 'viewing';
      try {
        const res = await sendHeartbeat(id, sentState.current);
        if (stopped) return;
        setOthers(res.others ?? []);
        if (typeof res.thread_version === 'string') {
          if (version.current !== null && version.current !== res.thread_version) void refresh();
          version.current = res.thread_version;
        }
      } catch {
        /* a lost beat: the next one follows in a few seconds */
      }
    };
    beatRef.current = () => void beat();
    void beat();
    const timer = setInterval(() => void beat(), HEARTBEAT_MS);
    const onHide = () => sendLeave(id);
    window.addEventListener('pagehide', onHide);
    return () => {
      stopped = true;
      clearInterval(timer);
      window.removeEventListener('pagehide', onHide);
      sendLeave(id);
    };
  }, [id]);

  // `r` / `n` anywhere on the page except inside a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
      if (e.key !== 'r' && e.key !== 'n') return;
      e.preventDefault();
      setMode(e.key === 'r' ? 'reply' : 'note');
      textRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const onBody = (v: string) => {
    setBody(v);
    setSent(null);
    lastTyped.current = Date.now();
    // The others see "is typing" at once, not at the next regular beat.
    if (v.trim() !== '' && sentState.current !== 'typing') beatRef.current();
  };

  const send = async (kind: SendKind, lastSeen: string | null = ackRef.current) => {
    setBusy(true);
    setError(null);
    try {
      const data = {
        kind: kind === 'note' ? ('note' as const) : ('reply' as const),
        body: bodyRef.current,
        ...(kind === 'reply_resolve' ? { status: 'resolved' as const } : {}),
        last_seen_message_id: lastSeen ?? id,
      };
      // With files: multipart to the upload route (it answers without the record: refreshed below).
      const withFiles = files.length > 0;
      const res = withFiles ? await sendMessageWithFiles(id, data, files) : await sendMessage(id, data);
      if (res.stale) {
        applyThread(res, false);
        setStale({
          kind,
          newestId: res.newest_message_id,
          count: Math.max(1, messagesAfter(res.messages, lastSeen).length),
        });
        return;
      }
      if (!res.messages) {
        setError(res.notice?.message ?? 'The message could not be sent.');
        return;
      }
      applyThread(res, true);
      setStale(null);
      setBody('');
      if (withFiles) {
        setFiles([]);
        void refresh();
      }
      lastTyped.current = 0;
      setSent(SENT[kind]);
    } catch {
      setError('The message could not be sent. Please try again.');
    } finally {
      setBusy(false);
    }
  };

  const newIds = useMemo(() => new Set(messagesAfter(messages ?? [], ackId).map((m) => m.id)), [messages, ackId]);

  if (!record || !resource) return <Loader />;
  const canResolve = record.recordActions.some((a) => a.name === 'resolve');
  const details = resource.showProperties.filter((p) => !SHOWN_ELSEWHERE.has(p.propertyPath));
  return (
    <Box data-testid="ticket-workspace">
      <WorkspaceHeader resource={resource} record={record} onActionDone={() => void refresh()} />
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) 272px', gap: 24, alignItems: 'start' }}>
        <Box bg="white" p="xl" style={{ borderRadius: 8, border: '1px solid #e5e7eb', minWidth: 0 }}>
          <PresenceLine others={others} />
          {loadError ? <div style={{ color: '#b91c1c', marginBottom: 12 }}>{loadError}</div> : null}
          {messages ? <WorkspaceThread messages={messages} newIds={newIds} now={now} /> : <Loader />}
          <WorkspaceReplyBox
            ref={textRef}
            mode={mode}
            onMode={(m) => {
              setMode(m);
              textRef.current?.focus();
            }}
            body={body}
            onBody={onBody}
            files={files}
            onFiles={setFiles}
            onSend={(kind) => void send(kind)}
            busy={busy}
            canResolve={canResolve}
            customerName={String(record.params.name ?? 'the customer')}
            error={error}
            sent={sent}
            stale={stale}
            onConfirm={() => stale && void send(stale.kind, stale.newestId)}
            onCancel={() => {
              if (stale) setAckId(stale.newestId);
              setStale(null);
              textRef.current?.focus();
            }}
          />
          <CannedReplyPicker ticketId={id} textRef={textRef} body={body} onInsert={onBody} />
        </Box>
        {/* The side column sticks as one: facts, tags and ratings never slide over each other. */}
        <div style={{ position: 'sticky', top: 16 }}>
          <WorkspaceSide
            resource={resource}
            record={record}
            now={now}
            onSaved={applyRecord}
            onStale={() => void refresh()}
          />
          <WorkspaceTags ticketId={id} />
          <WorkspaceRatings ratings={ratings} now={now} />
        </div>
      </div>
      <Box
        bg="white"
        p="xl"
        mt="xl"
        style={{ borderRadius: 8, border: '1px solid #e5e7eb' }}
        data-testid="ticket-details"
      >
        <H4 mb="lg">Ticket details</H4>
        {details.map((property) => (
          <BasePropertyComponent
            key={property.propertyPath}
            where="show"
            property={property}
            resource={resource}
            record={record}
          />
        ))}
      </Box>
    </Box>
  );
};

export default TicketWorkspace;

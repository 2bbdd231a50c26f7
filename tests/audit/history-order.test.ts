// The history's ordering rule (docs/audit.md): entries are newest first by `at`; where a change
// and the email it queued share a transaction, the email is listed directly above the change
// and its `at` is never earlier than the change's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { DeliveryRow, TicketEventRow } from '../../src/audit/audit.repository.js';
import { changeEntries, mergeTimeline } from '../../src/audit/audit.timeline.js';
import { runTicketAction } from '../../src/contact/contact.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';

type Entry = {
  type: string;
  id: string;
  at: string;
  operation?: string;
  kind?: string;
  status?: string;
  changes?: Array<{ field: string; to: unknown }>;
};

describe('history order', () => {
  let t: TestApp;
  let moderator: TestUser;
  let auth: Record<string, string>;
  before(async () => {
    t = await createTestApp();
    ({ user: moderator, auth } = await createUserWithToken(t.ctx, { role: 'moderator' }));
  });
  after(() => t.close());

  test('when a ticket is resolved, then entries are newest first and the resolution email sits directly above the change that queued it', async () => {
    const ticket = await createTicket(t.ctx, { email: 'order@example.com' });
    await runTicketAction(t.ctx, moderator, ticket.id, 'resolve', { resolutionNotes: 'Fixed' }, { source: 'api' });
    const res = await request(t.app).get(`/api/v1/contact/${ticket.id}/history`).set(auth).expect(200);
    const entries: Entry[] = res.body.entries;
    const times = entries.map((e) => Date.parse(e.at));
    for (let i = 1; i < times.length; i++) {
      assert.ok(
        times[i - 1]! >= times[i]!,
        `entry ${i - 1} (${entries[i - 1]!.at}) is older than entry ${i} (${entries[i]!.at})`,
      );
    }
    const resolve = entries.findIndex(
      (e) => e.type === 'change' && e.changes?.some((c) => c.field === 'status' && c.to === 'resolved'),
    );
    const mail = entries.findIndex((e) => e.kind === 'contact_resolved' && e.status === 'queued');
    assert.equal(mail, resolve - 1, JSON.stringify(entries.map((e) => [e.type, e.kind ?? e.operation, e.at])));
    assert.ok(Date.parse(entries[mail]!.at) >= Date.parse(entries[resolve]!.at));
  });
});

// The same rule on exact timestamps, so it does not depend on how long a real transaction takes.
describe('mergeTimeline on exact times', () => {
  const T = Date.parse('2026-05-04T10:00:00.000Z');
  const event = (id: number, ms: number, operation: 'insert' | 'update', fields: Record<string, unknown>) =>
    ({
      event_id: String(id),
      event_at: new Date(T + ms),
      operation,
      changed_fields: Object.keys(fields),
      actor_id: null,
      source: 'api',
      request_id: null,
      ...fields,
    }) as unknown as TicketEventRow;
  const delivery = (kind: string, createdMs: number, sentMs: number | null): DeliveryRow => ({
    id: `d-${kind}`,
    kind,
    recipient: 'c@example.com',
    status: sentMs === null ? 'queued' : 'sent',
    attempts: sentMs === null ? 0 : 1,
    last_error: null,
    created_at: new Date(T + createdMs),
    updated_at: new Date(T + (sentMs ?? createdMs)),
    sent_at: sentMs === null ? null : new Date(T + sentMs),
  });
  const timeline = (events: TicketEventRow[], deliveries: DeliveryRow[]) =>
    mergeTimeline(events, changeEntries(events, new Map()), deliveries).map(
      (e) =>
        `${e.type === 'change' ? `change:${e.id}` : e.type === 'email' ? `${e.kind}:${e.status}` : e.kind}@${Date.parse(e.at) - T}`,
    );

  test('when the resolution mail was created 2 ms before the change in its transaction, then it is shown at the change time, directly above it', () => {
    const events = [event(1, 0, 'insert', { status: 'pending' }), event(2, 5_000, 'update', { status: 'resolved' })];
    // created_at is the transaction start (now()); the trigger's event_at is 2 ms later.
    assert.deepEqual(timeline(events, [delivery('contact_resolved', 4_998, null)]), [
      'contact_resolved:queued@5000',
      'change:2@5000',
      'change:1@0',
    ]);
  });

  test("when sent_at (the app's clock) is earlier than the queued time, then sent is still shown after queued", () => {
    const events = [event(1, 100, 'insert', { status: 'pending' }), event(2, 900, 'update', { status: 'resolved' })];
    assert.deepEqual(
      timeline(events, [delivery('contact_confirmation', 98, 50), delivery('contact_resolved', 897, 950)]),
      [
        'contact_resolved:sent@950',
        'contact_resolved:queued@900',
        'change:2@900',
        'contact_confirmation:sent@100',
        'contact_confirmation:queued@100',
        'change:1@100',
      ],
    );
  });
});

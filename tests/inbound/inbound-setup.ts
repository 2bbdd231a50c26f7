// Shared arrangement for the inbound tests: an app with a worker sending to a real SMTP sink (so
// our confirmations carry real signed Message-IDs and reply addresses), fixtures filled from them,
// and mail fed through the real store → job → processing path.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { AddressObject } from 'mailparser';
import request from 'supertest';
import { storeInboundMail, type RawInbound } from '../../src/inbound/inbound.store.js';
import type { ReceivedMail } from '../helpers/smtp.js';
import { mailTestEnv, waitForQueueDrained, waitUntil, type MailTestEnv } from '../mail/mail-setup.js';

export { waitForQueueDrained, waitUntil, type MailTestEnv };

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const INBOUND_SECRET = 'inbound-test-secret-0123456789abcdef';

export function inboundTestEnv(env: Record<string, string> = {}): Promise<MailTestEnv> {
  return mailTestEnv({ env: { INBOUND_HTTP_SECRET: INBOUND_SECRET, ...env } });
}

/** A fixture with `{{NAME}}` placeholders filled, as the CRLF bytes a mail server would hand over. */
export function fixture(name: string, vars: Record<string, string> = {}): Buffer {
  const text = readFileSync(path.join(FIXTURES, `${name}.eml`), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    assert.ok(k in vars, `fixture ${name} needs {{${k}}}`);
    return vars[k]!;
  });
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
}

/** The same mail under another Message-ID (a fixture used twice in one database is otherwise a duplicate). */
export function withMessageId(raw: Buffer, messageId: string): Buffer {
  const text = raw.toString('utf8');
  assert.match(text, /^Message-ID:/im);
  return Buffer.from(text.replace(/^Message-ID:.*$/im, `Message-ID: ${messageId}`));
}

export interface InboundRow {
  id: string;
  status: string;
  outcome: string | null;
  error: string | null;
  attempts: number;
  ticket_id: string | null;
  ticket_message_id: string | null;
}

export async function inboundRow(env: MailTestEnv, id: string): Promise<InboundRow> {
  const { rows } = await env.ctx.db.pool.query<InboundRow>(
    `SELECT id, status::text AS status, outcome, error, attempts, ticket_id, ticket_message_id FROM inbound_mails WHERE id = $1`,
    [id],
  );
  return rows[0]!;
}

/** Stores the mail as a receiver would, then waits for the worker to have processed it. */
export async function deliver(env: MailTestEnv, raw: Buffer, opts: Partial<RawInbound> = {}): Promise<InboundRow> {
  const { id } = await storeInboundMail(env.ctx, { raw, channel: 'smtp', ...opts });
  return waitProcessed(env, id);
}

export async function waitProcessed(env: MailTestEnv, id: string): Promise<InboundRow> {
  return waitUntil(async () => {
    const row = await inboundRow(env, id);
    return row.status !== 'received' && row;
  }, `inbound mail ${id} was processed`);
}

export interface SubmittedTicket {
  id: string;
  ticketNumber: string;
  email: string;
  subject: string;
  /** The confirmation as the customer received it (through the real worker and SMTP). */
  confirmation: ReceivedMail;
  vars: Record<string, string>;
}

const firstAddress = (a: AddressObject | AddressObject[] | undefined) =>
  String((Array.isArray(a) ? a[0] : a)?.value[0]?.address ?? '');

/** A ticket through the public form, and the confirmation the customer got for it. */
export async function submitTicket(env: MailTestEnv, email: string, subject: string, name = 'Cara Customer') {
  const res = await request(env.t.app)
    .post('/api/v1/contact/submit')
    .send({ name, email, subject, message: 'My order never came.' })
    .expect(201);
  await waitForQueueDrained(env.ctx);
  const confirmation = env.sink.to(email).find((m) => m.parsed.subject?.includes(res.body.ticket_number));
  assert.ok(confirmation, 'the confirmation was sent');
  const replyTo = firstAddress(confirmation.parsed.replyTo);
  assert.match(replyTo, /^support\+t[0-9a-f]{48}@desk\.test$/);
  const ticket: SubmittedTicket = {
    id: res.body.id,
    ticketNumber: res.body.ticket_number,
    email,
    subject,
    confirmation,
    vars: {
      REPLY_TO: replyTo,
      OUR_MESSAGE_ID: confirmation.parsed.messageId!,
      TICKET_NUMBER: res.body.ticket_number,
      CUSTOMER_EMAIL: email,
      SUBJECT: subject,
    },
  };
  return ticket;
}

export interface ThreadRow {
  kind: string;
  author_email: string;
  body_text: string;
  body_html: string | null;
  message_id: string | null;
}

export async function customerMessages(env: MailTestEnv, ticketId: string): Promise<ThreadRow[]> {
  const { rows } = await env.ctx.db.pool.query<ThreadRow>(
    `SELECT kind::text AS kind, author_email, body_text, body_html, message_id FROM ticket_messages
     WHERE ticket_id = $1 ORDER BY created_at, id`,
    [ticketId],
  );
  return rows;
}

export async function ticketById(env: MailTestEnv, id: string) {
  const { rows } = await env.ctx.db.pool.query(
    `SELECT id, ticket_number, email, name, subject, message, status::text AS status, category::text AS category,
       channel::text AS channel, parent_ticket_id FROM contact_submissions WHERE id = $1`,
    [id],
  );
  return rows[0]!;
}

export async function deliveriesTo(env: MailTestEnv, recipient: string, kind = 'contact_confirmation') {
  const { rows } = await env.ctx.db.pool.query<{
    id: string;
    ticket_id: string;
    status: string;
    last_error: string | null;
  }>(
    `SELECT id, ticket_id, status::text AS status, last_error FROM email_deliveries
     WHERE lower(recipient) = lower($1) AND kind = $2::"EmailKind" ORDER BY created_at`,
    [recipient, kind],
  );
  return rows;
}

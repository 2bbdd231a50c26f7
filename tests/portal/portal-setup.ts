// Shared arrangement for the customer page tests: the mail pipeline (real worker + SMTP sink),
// a submitted ticket, and the /t/<token> link parsed out of the text part of a REAL mail.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { ReceivedMail } from '../helpers/smtp.js';
import { waitForQueueDrained, type MailTestEnv } from '../mail/mail-setup.js';

export const API = '/api/v1/contact';

/** The path (/t/<token>) of the customer link in a mail's text part. */
export function linkPathIn(mail: ReceivedMail, suffix = ''): string {
  const text = mail.parsed.text ?? '';
  const m = new RegExp(`http://localhost:3000(/t/[A-Za-z0-9_-]{43}${suffix.replace(/\//g, '\\/')})(?![\\w/-])`).exec(
    text,
  );
  assert.ok(m, `no customer link${suffix ? ` ending ${suffix}` : ''} in the mail:\n${text}`);
  return m[1]!;
}

/** Submits a ticket through the public API and returns it with its confirmation mail's link. */
export async function submitWithLink(env: MailTestEnv, opts: { email?: string; subject?: string } = {}) {
  const email = opts.email ?? `cust-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await request(env.t.app)
    .post(`${API}/submit`)
    .send({
      name: 'Cara Customer',
      email,
      subject: opts.subject ?? 'Parcel never arrived',
      message: 'Order 1001 is late.',
    })
    .expect(201);
  await waitForQueueDrained(env.ctx);
  const ticket = res.body as { id: string; ticket_number: string };
  const confirmation = mailsTo(env, email).find((m) => m.parsed.subject?.includes('We received'));
  assert.ok(confirmation, 'the confirmation mail arrived');
  return { ticket, email, confirmation, path: linkPathIn(confirmation) };
}

export const mailsTo = (env: MailTestEnv, address: string) => env.sink.to(address);

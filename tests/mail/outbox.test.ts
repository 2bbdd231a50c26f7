import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleParser, type AddressObject } from 'mailparser';
import { pino } from 'pino';
import type { AppContext } from '../../src/context.js';
import { startWorker, type WorkerHandle } from '../../src/jobs/worker.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTicket } from '../helpers/factories.js';
import { deliveriesOf, waitUntil } from './mail-setup.js';

const firstAddress = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value[0];

describe('email delivery without SMTP_URL: the outbox folder', () => {
  let t: TestApp;
  let dataDir: string;
  let worker: WorkerHandle;
  let ctx: AppContext;
  const logLines: Array<Record<string, unknown>> = [];

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'contactdesk-outbox-'));
    t = await createTestApp({ env: { DATA_DIR: dataDir, ADMIN_NOTIFY_EMAILS: 'ops@example.com' } });
    assert.equal(t.ctx.config.SMTP_URL, undefined);
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
    ctx = { ...t.ctx, logger };
    worker = await startWorker(ctx, { concurrency: 2 });
  });
  after(async () => {
    await worker.stop();
    await t.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('when the worker starts without SMTP_URL, then it logs where the outbox is', () => {
    const outbox = path.join(dataDir, 'outbox');
    assert.ok(
      logLines.some((l) => l.outbox === outbox && String(l.msg).includes(outbox)),
      'no start-up line names the outbox folder',
    );
  });

  test('when a ticket is submitted, then each message is a parseable .eml file in DATA_DIR/outbox', async () => {
    const ticket = await createTicket(ctx, { name: 'Olga', email: 'olga@example.com', subject: 'Offline mail' });
    const outbox = path.join(dataDir, 'outbox');
    const files = await waitUntil(async () => {
      const names = await readdir(outbox).catch(() => []);
      return names.filter((n) => n.endsWith('.eml')).length === 2 && names.sort();
    }, 'two .eml files exist');
    assert.ok(
      files.every((f) => f.startsWith(`${ticket.ticketNumber}.`)),
      files.join(', '),
    );

    const confirmationFile = files.find((f) => f.includes('.contact_confirmation.'))!;
    const parsed = await simpleParser(await readFile(path.join(outbox, confirmationFile)));
    assert.equal(parsed.subject, `[${ticket.ticketNumber}] We received your message: Offline mail`);
    assert.deepEqual(firstAddress(parsed.to), { address: 'olga@example.com', name: 'Olga' });
    assert.equal(firstAddress(parsed.from)?.address, 'no-reply@contactdesk.local');
    assert.ok(parsed.text!.includes(ticket.ticketNumber));
    assert.ok((parsed.html as string).includes(ticket.ticketNumber));

    const alert = await simpleParser(
      await readFile(
        path.join(
          outbox,
          files.find((f) => f.includes('.contact_admin_notification.'))!,
        ),
      ),
    );
    assert.equal(firstAddress(alert.to)?.address, 'ops@example.com');
    assert.equal(firstAddress(alert.replyTo)?.address, 'olga@example.com');

    const rows = await waitUntil(async () => {
      const r = await deliveriesOf(ctx, ticket.id);
      return r.every((d) => d.status === 'sent') && r;
    }, 'both deliveries are recorded as sent');
    const confirmationRow = rows.find((r) => r.kind === 'contact_confirmation')!;
    assert.equal(confirmationRow.message_id, parsed.messageId);
    assert.ok(
      logLines.some((l) => l.file === path.join(outbox, confirmationFile)),
      'the log says where the message was written',
    );
  });
});

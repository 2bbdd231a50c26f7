// The "nothing lost" load scenario, shared by the fast and slow tests (and by the SMTP-outage ones,
// which run it with the SMTP server taken down for a while in the middle).
//
// Real parts only: the app listens on a loopback port, N clients POST the public form over HTTP,
// moderators claim and resolve tickets through the REST API with Bearer tokens at the same time,
// a worker with its own pool sends every mail to a real SMTP server.
import assert from 'node:assert/strict';
import type { AppContext } from '../../src/context.js';
import { createTestDatabase } from './db.js';
import { createUserWithToken } from './factories.js';
import {
  assertEveryMailOnce,
  assertGaplessNumbers,
  call,
  runConcurrently,
  sleep,
  startLiveApp,
  startLiveWorker,
  submission,
  type HttpResult,
} from './reliability.js';
import { startCountingSink } from './reliability-smtp.js';

export const ALERTS = 'alerts@contactdesk.test';

export interface LoadOptions {
  submissions: number;
  clients: number;
  moderators: number;
  /** Take the SMTP server down when a third of the submissions are in, for this long. */
  smtpOutageMs?: number;
  /** Upper bound for the submissions phase. */
  deadlineMs: number;
  /** Upper bound for the mail queue to drain afterwards. */
  drainMs: number;
}

export interface LoadReport {
  submitMs: number;
  drainMs: number;
  resolved: number;
  mails: number;
  moderatorCalls: number;
  failedWhileDown?: number;
}

const ENV = {
  RATE_LIMIT_ENABLED: 'false',
  ADMIN_NOTIFY_EMAILS: ALERTS,
  MAIL_FROM: 'Support <support@contactdesk.test>',
};

function unexpected(what: string, res: HttpResult): Error {
  return new Error(`${what}: unexpected ${res.status} ${res.text.slice(0, 300)}`);
}

/** Claims and resolves pending tickets until `done()`; returns the ids it resolved. */
async function moderate(url: string, auth: Record<string, string>, done: () => boolean, counter: { calls: number }) {
  const resolved: string[] = [];
  for (let round = 0; !done() && round < 100_000; round++) {
    counter.calls++;
    const list = await call(url, 'GET', '/api/v1/contact/?status=pending&ordering=created_at&page_size=10', {
      headers: auth,
    });
    if (list.status !== 200) throw unexpected('list', list);
    const items = (list.body as { items: Array<{ id: string }> }).items;
    if (!items.length) {
      await sleep(20);
      continue;
    }
    const id = items[Math.floor(Math.random() * items.length)]!.id;
    counter.calls++;
    const claim = await call(url, 'POST', `/api/v1/contact/${id}/assign-to-me`, { headers: auth, json: {} });
    // 409: another moderator got there first (already assigned, or already resolved).
    if (claim.status === 409) continue;
    if (claim.status !== 200) throw unexpected('assign-to-me', claim);
    counter.calls++;
    const resolve = await call(url, 'POST', `/api/v1/contact/${id}/mark-resolved`, {
      headers: auth,
      json: { resolution_notes: 'Answered by phone.' },
    });
    if (resolve.status === 409) continue;
    if (resolve.status !== 200) throw unexpected('mark-resolved', resolve);
    resolved.push(id);
  }
  return resolved;
}

export async function runLoadScenario(opts: LoadOptions): Promise<LoadReport> {
  const database = await createTestDatabase();
  const sink = await startCountingSink();
  const env = { ...ENV, SMTP_URL: sink.url };
  const app = await startLiveApp({ databaseUrl: database.url, env });
  const worker = await startLiveWorker({ databaseUrl: database.url, env }, { concurrency: 10, pollInterval: 200 });
  const ctx: AppContext = app.ctx;
  try {
    const mods = await Promise.all(
      Array.from({ length: opts.moderators }, () => createUserWithToken(ctx, { role: 'moderator' })),
    );
    const accepted = new Set<string>();
    let submitted = 0;
    let outage: Promise<void> | undefined;
    const modCounter = { calls: 0 };
    let submitting = true;
    const modRuns = mods.map((m) => moderate(app.url, m.auth, () => !submitting, modCounter));

    const started = Date.now();
    await runConcurrently(
      opts.submissions,
      opts.clients,
      async (i) => {
        const res = await call(app.url, 'POST', '/api/v1/contact/submit', { json: submission(i) });
        if (res.status !== 201) throw unexpected(`submission ${i}`, res);
        accepted.add((res.body as { id: string }).id);
        submitted++;
        if (opts.smtpOutageMs && !outage && submitted >= opts.submissions / 3) {
          outage = (async () => {
            await sink.stop();
            await sleep(opts.smtpOutageMs!);
            await sink.start();
            // graphile-worker backs a failed job off by exp(min(attempts, 10)) seconds: after a 30 s
            // outage the next try may be a minute away. What this test proves is that no mail is
            // lost or doubled across the outage, not graphile's timer, so waiting jobs are made due
            // now — what an operator would do after fixing the mail server.
            await ctx.db.pool.query(
              `UPDATE graphile_worker._private_jobs SET run_at = now() WHERE locked_at IS NULL AND run_at > now()`,
            );
          })();
        }
      },
      opts.deadlineMs,
    ).finally(() => (submitting = false));
    const submitMs = Date.now() - started;
    const resolvedIds = (await Promise.all(modRuns)).flat();
    await outage;

    // Every 201 is a ticket; nothing more, nothing less.
    assert.equal(accepted.size, opts.submissions, 'distinct ticket ids answered with 201');
    const { rows } = await ctx.db.pool.query<{ n: number; resolved: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'resolved')::int AS resolved FROM contact_submissions`,
    );
    assert.equal(rows[0]!.n, opts.submissions, 'tickets in the database');
    const { rows: found } = await ctx.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM contact_submissions WHERE id = ANY($1::uuid[])`,
      [[...accepted]],
    );
    assert.equal(found[0]!.n, opts.submissions, 'every accepted ticket id exists');
    await assertGaplessNumbers(ctx);
    assert.equal(new Set(resolvedIds).size, resolvedIds.length, 'a ticket was resolved twice');
    assert.equal(rows[0]!.resolved, resolvedIds.length, 'resolved tickets match the 200 answers');
    assert.ok(resolvedIds.length > 0, 'the moderators resolved nothing: the parallel part did not run');

    // Two mails per ticket (confirmation + one alert recipient) and one per resolution.
    const expected = opts.submissions * 2 + resolvedIds.length;
    const drainStarted = Date.now();
    const ledger = await assertEveryMailOnce(ctx, sink, expected, opts.drainMs);
    assert.deepEqual(ledger.byKind, {
      contact_confirmation: opts.submissions,
      contact_admin_notification: opts.submissions,
      ...(resolvedIds.length ? { contact_resolved: resolvedIds.length } : {}),
    });
    return {
      submitMs,
      drainMs: Date.now() - drainStarted,
      resolved: resolvedIds.length,
      mails: expected,
      moderatorCalls: modCounter.calls,
    };
  } finally {
    await worker.stop();
    await app.close();
    await sink.stop();
    await database.drop();
  }
}

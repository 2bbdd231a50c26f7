// Erasure of a person with 100,000 tickets (issue 15 §3): it completes (duration printed), and the
// public submit's p99 while it runs stays ≤ 2× its p99 without it, measured in the same run on the
// same server: the compiled product with its inline worker (the default `npm start` shape), so the
// erasure job shares the process and the database with the submits it must not slow down.
//   npm run bench:erasure [-- --tickets 100000 --rate 20 --baseline 20]
// Submits are paced (open loop, --rate per second) before, during and after the erasure; "during"
// covers the whole erasure, from its request to its last batch.
import http from 'node:http';
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { summarise } from './lib/load.js';
import { createMigratedDatabase, dropDatabase, withClient } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { startServer } from './lib/server.js';

const PERSON = 'erin.erasure@bench.example.com';

let n = 0;
const submitBody = () =>
  JSON.stringify({
    name: `Bench Customer ${++n}`,
    email: `customer${n}@bench.example.com`,
    subject: `Cannot log in (attempt ${n})`,
    message: 'Hello, since yesterday the login page says my password is wrong. I reset it twice already. Thanks!',
  });

/** Paced submits until `stop()` says so; every latency counted from its scheduled start. */
async function pacedUntil(url: string, rate: number, stop: () => boolean) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let failed = 0;
  // What each failure was (status code or socket error code): a failure must be explainable.
  const reasons: Record<string, number> = {};
  const fail = (why: string) => {
    failed++;
    reasons[why] = (reasons[why] ?? 0) + 1;
  };
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; !stop(); i++) {
    const scheduled = started + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const body = submitBody();
    inflight.push(
      new Promise<void>((resolve) => {
        const req = http.request(
          `${url}/api/v1/contact/submit`,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              latencies.push(performance.now() - scheduled);
              if (res.statusCode !== 201) fail(`HTTP ${res.statusCode}`);
              resolve();
            });
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => {
          fail(err.code ?? err.message);
          resolve();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    failed,
    reasons,
    seconds: (performance.now() - started) / 1000,
    ...summarise(sorted),
  };
}

export async function erasureBench(env: BenchEnv): Promise<BenchOutput> {
  const tickets = argNumber(env.args, 'tickets', env.quick ? 10_000 : 100_000);
  const rate = argNumber(env.args, 'rate', 20);
  const baselineSec = argNumber(env.args, 'baseline', env.quick ? 8 : 20);
  const dbName = 'contactdesk_bench_erasure';
  const url = await createMigratedDatabase(env.pg, dbName);

  env.log(`seeding ${tickets} tickets of one person (+ a customer message on every 10th, a mail record each)`);
  const seedStart = performance.now();
  const adminId = await withClient(url, async (c) => {
    await c.query(`SELECT set_config('contactdesk.source', 'system', false)`);
    for (let from = 1; from <= tickets; from += 10_000) {
      const to = Math.min(tickets, from + 9_999);
      await c.query(
        `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, status, created_at, updated_at, ip_address, user_agent)
         SELECT gen_random_uuid(), 'BENCH-E-' || g, 'Erin Erasure', $3, 'Order ' || g,
           'Hello, this is Erin Erasure about order ' || g || '. Please call me.', 'resolved',
           now() - g * interval '1 minute', now(), '192.0.2.7', 'BenchBrowser/1.0'
         FROM generate_series($1::int, $2::int) g`,
        [from, to, PERSON],
      );
    }
    await c.query(
      `INSERT INTO ticket_messages (ticket_id, kind, author_name, author_email, body_text, channel)
       SELECT id, 'customer', 'Erin Erasure', $1::text, 'Any news? Erin', 'email' FROM contact_submissions
       WHERE email = $1::text AND right(ticket_number, 1) = '0'`,
      [PERSON],
    );
    await c.query(
      `INSERT INTO email_deliveries (id, ticket_id, ticket_number, kind, recipient, status, updated_at)
       SELECT gen_random_uuid(), id, ticket_number, 'contact_confirmation', $1::text, 'sent', now()
       FROM contact_submissions WHERE email = $1::text`,
      [PERSON],
    );
    // The requesting admin, inactive so that the submits' admin alerts do not double the mail load.
    const { rows } = await c.query<{ id: string }>(
      `INSERT INTO users (id, email, name, role, is_active, updated_at)
       VALUES (gen_random_uuid(), 'admin@bench.example.com', 'Bench Admin', 'admin', false, now()) RETURNING id`,
    );
    await c.query('VACUUM ANALYZE');
    return rows[0]!.id;
  });
  env.log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const server = await startServer({ databaseUrl: url, env: { WORKER_INLINE: 'true' } });
  // The bootstrapped admin would get an alert per submit: only the customers' confirmations are mailed.
  await withClient(url, (c) => c.query(`UPDATE users SET is_active = false WHERE role = 'admin'`));
  let before, during, after;
  let erasureSec = 0;
  let state: { status: string; tickets_done: number; batches: number } | undefined;
  try {
    env.log('warm-up 3 s');
    let until = performance.now() + 3000;
    await pacedUntil(server.url, rate, () => performance.now() > until);
    env.log(`submit without erasure: ${rate}/s for ${baselineSec} s`);
    until = performance.now() + baselineSec * 1000;
    before = await pacedUntil(server.url, rate, () => performance.now() > until);

    // The request as the REST API makes it: the row and its job in one transaction.
    const erasureId = await withClient(url, async (c) => {
      await c.query('BEGIN');
      const { rows } = await c.query<{ id: string }>(
        `INSERT INTO erasure_requests (kind, email, requested_by_id, source) VALUES ('person', $1, $2, 'api') RETURNING id`,
        [PERSON, adminId],
      );
      await c.query(
        `SELECT graphile_worker.add_job('privacy_erasure', json_build_object('erasureId', $1::text),
           job_key := 'privacy:erasure:' || $1, max_attempts := 25)`,
        [rows[0]!.id],
      );
      await c.query('COMMIT');
      return rows[0]!.id;
    });
    env.log(`erasure of ${tickets} tickets requested; submitting at ${rate}/s until it is done`);
    const erasureStart = performance.now();
    let done = false;
    const poll = (async () => {
      while (!done) {
        await new Promise((r) => setTimeout(r, 250));
        state = await withClient(
          url,
          async (c) =>
            (
              await c.query(
                `SELECT status::text AS status, tickets_done, batches, last_error FROM erasure_requests WHERE id = $1`,
                [erasureId],
              )
            ).rows[0],
        );
        if (state?.status === 'done' || state?.status === 'failed') {
          erasureSec = (performance.now() - erasureStart) / 1000;
          done = true;
        }
        if (performance.now() - erasureStart > 30 * 60_000) throw new Error('erasure did not finish in 30 minutes');
      }
    })();
    during = await pacedUntil(server.url, rate, () => done);
    await poll;
    env.log(`erasure ${state?.status} in ${erasureSec.toFixed(1)} s (${state?.batches} batches)`);
    env.log(`submit after the erasure: ${rate}/s for ${baselineSec} s`);
    until = performance.now() + baselineSec * 1000;
    after = await pacedUntil(server.url, rate, () => performance.now() > until);
  } finally {
    await server.stop();
  }
  const left = await withClient(url, async (c) =>
    Number((await c.query('SELECT count(*) AS n FROM contact_submissions WHERE email = $1', [PERSON])).rows[0].n),
  );
  await dropDatabase(env.pg, dbName);

  printTable(
    `Submit at ${rate}/s around the erasure of ${tickets} tickets`,
    ['phase', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'failed'],
    [
      ['before (no erasure)', before.requests, before.p50, before.p95, before.p99, before.max, before.failed],
      ['during the erasure', during.requests, during.p50, during.p95, during.p99, during.max, during.failed],
      ['after (no erasure)', after.requests, after.p50, after.p95, after.p99, after.max, after.failed],
    ],
  );
  for (const [phase, r] of [
    ['before', before],
    ['during', during],
    ['after', after],
  ] as const)
    if (r.failed) console.log(`failed submits ${phase}: ${JSON.stringify(r.reasons)}`);
  // "Without" is measured before and after (a machine's background load drifts): their mean.
  const without = (before.p99 + after.p99) / 2;
  const ratio = during.p99 / without;
  console.log(
    `erasure of ${tickets} tickets: ${state?.status} in ${erasureSec.toFixed(1)} s; submit p99 during / without ` +
      `(mean of before ${before.p99.toFixed(1)} and after ${after.p99.toFixed(1)}): ` +
      `${during.p99.toFixed(1)} / ${without.toFixed(1)} ms = ${ratio.toFixed(2)}×`,
  );
  return {
    params: { tickets, rate, baselineSec },
    measurements: { erasureSec, state, before, during, after, withoutP99: without, ratio, ticketsLeft: left },
    targets: [
      target('erasure', `erasure of ${tickets} tickets completes (tickets left)`, left, '<=', 0),
      target('erasure', 'submit p99 during erasure / without', ratio, '<=', 2, '×'),
      target('erasure', 'failed submits', before.failed + during.failed + after.failed, '<=', 0),
    ],
  };
}

if (isMain(import.meta.url)) await standalone('erasure', erasureBench);

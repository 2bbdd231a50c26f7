// The ticket thread read by a moderator (GET /api/v1/contact/{id}/messages): a thread of 200
// messages (replies with their email's delivery state, internal notes, customer messages) against
// a thread holding only the original message, on the same server in the same run, one client.
// Target: p95 ≤ 50 ms for 200 messages.
import { argNumber, isMain, standalone, type BenchEnv, type BenchOutput } from './lib/harness.js';
import { createBenchAdmin, fetchToken } from './lib/dataset.js';
import { runLoad } from './lib/load.js';
import { createMigratedDatabase, dropDatabase, withClient } from './lib/postgres.js';
import { printTable, target } from './lib/report.js';
import { startServer } from './lib/server.js';

const KINDS = ['customer', 'reply', 'note', 'reply'] as const;

/** A ticket with `messages` thread entries after its original message; returns its id. */
async function seedThread(url: string, messages: number, authorId: string): Promise<string> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ id: string }>(
      `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, updated_at)
       VALUES (gen_random_uuid(), 'BENCH-' || gen_random_uuid(), 'Cara Customer', 'cara@example.com',
         'A long conversation', repeat('The original message. ', 20), now())
       RETURNING id`,
    );
    const ticketId = rows[0]!.id;
    // Realistic bodies: a few hundred characters each, HTML kept for the customer's mails.
    await c.query(
      `WITH m AS (
         INSERT INTO ticket_messages (ticket_id, kind, author_id, author_name, author_email, body_text, body_html,
           message_id, channel, created_at)
         SELECT $1::uuid, (ARRAY[${KINDS.map((k) => `'${k}'`).join(',')}])[1 + i % ${KINDS.length}]::"MessageKind",
           CASE WHEN i % ${KINDS.length} = 0 THEN NULL ELSE $3::uuid END,
           CASE WHEN i % ${KINDS.length} = 0 THEN 'Cara Customer' ELSE 'Bench Admin' END,
           'someone@example.com', repeat('Message text number ' || i || '. ', 15),
           CASE WHEN i % ${KINDS.length} = 0 THEN '<p>' || repeat('html ', 40) || '</p>' END,
           '<bench-' || $1::text || '-' || i || '@mail.example>', 'email', now() - (($2::int - i) || ' minutes')::interval
         FROM generate_series(1, $2::int) AS i
         RETURNING id, kind
       )
       INSERT INTO email_deliveries (id, ticket_id, ticket_number, kind, recipient, status, attempts, ticket_message_id,
         sent_at, updated_at)
       SELECT gen_random_uuid(), $1::uuid, 'CONT-BENCH', 'ticket_reply', 'cara@example.com', 'sent', 1, m.id, now(), now()
       FROM m WHERE m.kind = 'reply'`,
      [ticketId, messages, authorId],
    );
    return ticketId;
  });
}

export async function threadBench(env: BenchEnv): Promise<BenchOutput> {
  const size = argNumber(env.args, 'messages', 200);
  const durationSec = argNumber(env.args, 'duration', env.quick ? 2 : 5);
  const name = 'contactdesk_bench_thread';
  await dropDatabase(env.pg, name).catch(() => {});
  const url = await createMigratedDatabase(env.pg, name);
  const creds = await createBenchAdmin(url);
  const adminId = await withClient(url, async (c) => {
    const { rows } = await c.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [creds.email]);
    return rows[0]!.id;
  });
  // Other tickets' threads in the same table, so the index (not a tiny table) serves the read.
  for (let i = 0; i < 50; i++) await seedThread(url, 40, adminId);
  const big = await seedThread(url, size, adminId);
  const small = await seedThread(url, 0, adminId);
  const server = await startServer({ databaseUrl: url });
  try {
    const headers = { authorization: `Bearer ${await fetchToken(server.url, creds)}` };
    const measure = async (id: string) => {
      const path = `/api/v1/contact/${id}/messages`;
      const check = await fetch(server.url + path, { headers });
      if (check.status !== 200) throw new Error(`${path}: ${check.status} ${await check.text()}`);
      await check.arrayBuffer();
      await runLoad({ url: server.url + path, headers, connections: 1, amount: 30 });
      return runLoad({ url: server.url + path, headers, connections: 1, durationSec });
    };
    const base = await measure(small);
    const thread = await measure(big);
    env.log(`thread of ${size}: p95 ${thread.p95.toFixed(1)} ms (original only: ${base.p95.toFixed(1)} ms)`);
    printTable(
      'Ticket thread, one client (ms)',
      ['thread', 'p50', 'p95', 'p99', 'req/s', 'failed'],
      [
        ['original message only', base.p50, base.p95, base.p99, base.rps, base.non2xx + base.errors],
        [`${size} messages`, thread.p50, thread.p95, thread.p99, thread.rps, thread.non2xx + thread.errors],
      ],
    );
    return {
      params: { messages: size, durationSec, connections: 1 },
      measurements: { originalOnly: base, thread },
      targets: [
        target('thread', `GET messages, ${size}-message thread: p95`, thread.p95, '<=', 50, ' ms'),
        target('thread', `GET messages, ${size} vs 1 message: p95 ratio (informational ≤ 10×)`, thread.p95 / base.p95, '<=', 10, '×'),
      ],
    };
  } finally {
    await server.stop();
    await dropDatabase(env.pg, name).catch(() => {});
  }
}

if (isMain(import.meta.url)) await standalone('thread', threadBench);

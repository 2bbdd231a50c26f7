// Runs N generated malformed requests (tests/helpers/reliability-fuzz.ts) against a real server and
// checks every answer: no 5xx, every 4xx with the documented error body, and not one row written.
import assert from 'node:assert/strict';
import { createTestDatabase } from './db.js';
import { createTicket, createUserWithToken } from './factories.js';
import { malformedRequest } from './reliability-fuzz.js';
import { call, isErrorShape, runConcurrently, startLiveApp, writeCounts } from './reliability.js';

export interface BadInputReport {
  requests: number;
  byStatus: Record<string, number>;
  byEndpoint: Record<string, number>;
  ms: number;
}

export async function runBadInputScenario(count: number, opts: { deadlineMs: number }): Promise<BadInputReport> {
  const database = await createTestDatabase();
  // Rate limiting off: with it on, most requests would be refused (429) before validation runs,
  // and its counters are a write by design. Validation is what this scenario is about.
  const app = await startLiveApp({ databaseUrl: database.url, env: { RATE_LIMIT_ENABLED: 'false' } });
  try {
    const mod = await createUserWithToken(app.ctx, { role: 'moderator' });
    const admin = await createUserWithToken(app.ctx, { role: 'admin' });
    const tickets = await Promise.all([createTicket(app.ctx), createTicket(app.ctx), createTicket(app.ctx)]);
    const targets = { ticketIds: tickets.map((t) => t.id), moderatorAuth: mod.auth, adminAuth: admin.auth };
    const before = await writeCounts(app.ctx);

    const byStatus: Record<string, number> = {};
    const byEndpoint: Record<string, number> = {};
    const failures: string[] = [];
    const started = Date.now();
    await runConcurrently(
      count,
      16,
      async (i) => {
        const req = malformedRequest(i, targets);
        byEndpoint[req.endpoint] = (byEndpoint[req.endpoint] ?? 0) + 1;
        let res;
        try {
          res = await call(app.url, req.method, req.path, { headers: req.headers, body: req.body });
        } catch (err) {
          failures.push(`#${i} ${req.method} ${req.path.slice(0, 80)}: no answer (${(err as Error).message})`);
          return;
        }
        byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
        const ok =
          res.status >= 400 &&
          res.status < 500 &&
          /^application\/json/.test(res.headers.get('content-type') ?? '') &&
          isErrorShape(res.body);
        if (!ok && failures.length < 20) {
          failures.push(
            `#${i} ${req.endpoint} ${req.method} ${req.path.slice(0, 80)} → ${res.status} ${res.text.slice(0, 160)}`,
          );
        }
      },
      opts.deadlineMs,
    );
    const ms = Date.now() - started;
    assert.deepEqual(failures, [], 'requests answered with something other than a documented 4xx');
    assert.deepEqual(await writeCounts(app.ctx), before, 'rows written by malformed requests');
    // The server is still fine afterwards.
    assert.equal((await call(app.url, 'GET', '/readyz')).status, 200);
    return { requests: count, byStatus, byEndpoint, ms };
  } finally {
    await app.close();
    await database.drop();
  }
}

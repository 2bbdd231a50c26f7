// PostgreSQL restarted in the middle of sustained load from 30 clients, down for 10 s.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runDbRestartScenario } from '../helpers/reliability-db-restart.js';

describe('reliability: PostgreSQL restart (10 s outage)', () => {
  test('when PostgreSQL stops for 10 s under load from 30 clients and starts again, then requests meanwhile get a prompt 503, the server and worker recover on their own and no accepted submission is lost', async () => {
    const report = await runDbRestartScenario({
      clients: 30,
      loadBeforeMs: 5_000,
      outageMs: 10_000,
      loadAfterMs: 5_000,
      drainMs: 600_000,
    });
    assert.ok(report.unavailable > 0);
    console.log(`db restart (10 s): ${JSON.stringify(report)}`);
  });
});

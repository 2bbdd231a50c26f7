// Fast variant of the PostgreSQL restart (a longer outage under more load: db-restart.slow.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runDbRestartScenario } from '../helpers/reliability-db-restart.js';

describe('reliability: PostgreSQL restart (fast)', () => {
  test('when PostgreSQL stops for 2 s under load and starts again, then requests meanwhile get a prompt 503, the server and worker recover on their own and no accepted submission is lost', async () => {
    const report = await runDbRestartScenario({
      clients: 8,
      loadBeforeMs: 1_500,
      outageMs: 2_000,
      loadAfterMs: 1_500,
      drainMs: 60_000,
    });
    assert.ok(report.unavailable > 0);
    console.log(`db restart (fast): ${JSON.stringify(report)}`);
  });
});

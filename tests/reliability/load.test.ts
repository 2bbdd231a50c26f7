// Fast variant of the "nothing lost under load" scenario (the 10,000-submission run is
// load.slow.test.ts). See tests/helpers/reliability-load.ts for what is asserted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runLoadScenario } from '../helpers/reliability-load.js';

describe('reliability: load with nothing lost (fast)', () => {
  test('when 300 submissions arrive from 20 clients while 3 moderators claim and resolve, then there are exactly 300 gapless tickets and every mail is delivered once', async () => {
    const report = await runLoadScenario({
      submissions: 300,
      clients: 20,
      moderators: 3,
      deadlineMs: 60_000,
      drainMs: 60_000,
    });
    assert.ok(report.resolved > 0);
    console.log(`load (fast): ${JSON.stringify(report)}`);
  });
});

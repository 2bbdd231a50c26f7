// Fast variant (1,000 requests) of the malformed-input run; bad-input.slow.test.ts sends 10,000.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runBadInputScenario } from '../helpers/reliability-bad-input.js';

describe('reliability: malformed input (fast)', () => {
  test('when 1,000 generated malformed requests hit every public and moderator endpoint, then none gets a 5xx, every one gets a documented 4xx and nothing is written', async () => {
    const report = await runBadInputScenario(1_000, { deadlineMs: 60_000 });
    assert.ok(Object.keys(report.byEndpoint).length >= 12, `endpoints covered: ${Object.keys(report.byEndpoint)}`);
    console.log(`bad input (1k): ${JSON.stringify(report)}`);
  });
});

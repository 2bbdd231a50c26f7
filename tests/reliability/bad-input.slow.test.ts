// 10,000 generated malformed requests (seeded, reproducible by index) against every public and
// moderator endpoint: zero 5xx, every 4xx in the documented error shape, nothing written.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runBadInputScenario } from '../helpers/reliability-bad-input.js';

describe('reliability: malformed input (10,000 requests)', () => {
  test('when 10,000 generated malformed requests hit every public and moderator endpoint, then none gets a 5xx, every one gets a documented 4xx and nothing is written', async () => {
    const report = await runBadInputScenario(10_000, { deadlineMs: 300_000 });
    assert.ok(Object.keys(report.byEndpoint).length >= 12, `endpoints covered: ${Object.keys(report.byEndpoint)}`);
    console.log(`bad input (10k): ${JSON.stringify(report)}`);
  });
});

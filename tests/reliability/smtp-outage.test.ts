// Fast variant of the SMTP outage (the 30 s one is smtp-outage.slow.test.ts): the SMTP server goes
// away mid-load and comes back; every mail arrives afterwards, none twice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runLoadScenario } from '../helpers/reliability-load.js';

describe('reliability: SMTP outage (fast)', () => {
  test('when the SMTP server is down for 3 s in the middle of 150 submissions, then every mail is delivered after it returns and none twice', async () => {
    const report = await runLoadScenario({
      submissions: 150,
      clients: 10,
      moderators: 2,
      smtpOutageMs: 3_000,
      deadlineMs: 60_000,
      drainMs: 60_000,
    });
    assert.ok(report.mails >= 300);
    console.log(`smtp outage (fast): ${JSON.stringify(report)}`);
  });
});

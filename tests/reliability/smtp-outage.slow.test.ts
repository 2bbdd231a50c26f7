// The SMTP server is down for 30 s in the middle of 2,000 submissions (moderators resolving
// meanwhile): every mail is delivered after it returns, none twice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runLoadScenario } from '../helpers/reliability-load.js';

describe('reliability: SMTP outage (30 s)', () => {
  test('when the SMTP server is down for 30 s in the middle of 2,000 submissions, then every mail is delivered after it returns and none twice', async () => {
    const report = await runLoadScenario({
      submissions: 2_000,
      clients: 50,
      moderators: 3,
      smtpOutageMs: 30_000,
      deadlineMs: 300_000,
      drainMs: 600_000,
    });
    assert.ok(report.mails >= 4_000);
    console.log(`smtp outage (30 s): ${JSON.stringify(report)}`);
  });
});

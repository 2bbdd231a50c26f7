// The browser suites on a machine without the browser: skipped with the install hint locally,
// but a failed run on CI. Each case runs a real browser test file as a child test run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../admin/paths.js';
import { CHROMIUM_MISSING } from './browser.js';

const BROWSER_TEST = 'tests/audit/history.browser.test.ts';

function runBrowserTestFile(env: Record<string, string>) {
  const childEnv = { ...process.env, ...env };
  // The runner sets NODE_TEST_CONTEXT for its children; without removing it the nested run
  // would report to this process instead of running as a run of its own.
  delete childEnv.NODE_TEST_CONTEXT;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', BROWSER_TEST], {
    cwd: PROJECT_ROOT,
    env: childEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}

describe('browser tests without a browser', () => {
  test('when CI=true and CHROMIUM_PATH names no file, then the browser test file fails the run', () => {
    const { status, output } = runBrowserTestFile({ CI: 'true', CHROMIUM_PATH: '/nonexistent' });
    assert.notEqual(status, 0, output);
    assert.match(output, /CI=true and no browser at \/nonexistent/);
  });

  test('when not on CI and CHROMIUM_PATH names no file, then the tests skip with the install hint and the run passes', () => {
    const { status, output } = runBrowserTestFile({ CI: '', CHROMIUM_PATH: '/nonexistent' });
    assert.equal(status, 0, output);
    assert.ok(output.includes(CHROMIUM_MISSING), output);
    assert.match(output, /skipped [1-9]/);
  });
});

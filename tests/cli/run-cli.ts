// Runs the operator CLI as a real child process (what `npm run cli --` runs), with the given
// environment on top of a clean one: nothing the test runner points at leaks into the command.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(env: Record<string, string>, args: string[], stdin?: string): Promise<CliResult> {
  const base: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
  for (const k of ['DATABASE_URL', 'TEST_DATABASE_URL', 'TEST_PG_ADMIN_URL', 'TEST_TEMPLATE_DB', 'EMBEDDED_PG_PORT'])
    delete base[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...base, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

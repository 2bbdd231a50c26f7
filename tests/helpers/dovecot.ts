// A real IMAP server for tests: a private Debian dovecot (dovecot-imapd) in a temp folder, per
// /work/shared/STACK-NOTES.md — its own config, passwd-file user, maildir owned by dovecot, a free
// loopback port; stopped by the PID in its run folder. Without dovecot, findDovecot() returns
// null (tests skip with DOVECOT_MISSING) — except on CI (CI=true), where a skipped IMAP suite
// would report green while testing nothing, so it throws and the run fails (like browser.ts).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export const DOVECOT_MISSING = 'dovecot not found: apt-get install dovecot-imapd';

const isCi = (env: NodeJS.ProcessEnv) => !!env.CI && !['false', '0'].includes(env.CI.trim().toLowerCase());

/** The dovecot binary, or null outside CI when it is not installed. */
export function findDovecot(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.DOVECOT_PATH ? [env.DOVECOT_PATH] : ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'];
  const found = candidates.find((p) => existsSync(p)) ?? null;
  if (!found && isCi(env)) {
    throw new Error(`CI=${env.CI} and no dovecot at ${candidates.join(' or ')}: ${DOVECOT_MISSING}`);
  }
  return found;
}

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** imap://user:pass@127.0.0.1:port/ — what INBOUND_IMAP_URL should be. */
  url: string;
  /** imapflow options for the test's own client (APPEND, checking flags). */
  clientOptions: { host: string; port: number; secure: false; auth: { user: string; pass: string }; logger: false };
  stop(): Promise<void>;
}

/** Resolves once the port accepts connections and dovecot greets (it daemonises, so no exit code tells). */
async function waitForGreeting(port: number, logFile: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('* OK'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) {
      const log = await readFile(logFile, 'utf8').catch(() => '(no log)');
      throw new Error(`dovecot did not answer on port ${port} within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startDovecot(binary: string, opts: { user?: string; password?: string } = {}): Promise<Dovecot> {
  const user = opts.user ?? 'support@desk.test';
  const password = opts.password ?? 'imap-test-secret';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cd-dovecot-'));
  // dovecot's unprivileged processes (dovecot, dovenull) must be able to enter these.
  await chmod(dir, 0o755);
  await mkdir(path.join(dir, 'run'), { mode: 0o755 });
  await mkdir(path.join(dir, 'mail'), { mode: 0o755 });
  if (process.getuid?.() === 0) {
    const chown = spawnSync('chown', ['dovecot:dovecot', path.join(dir, 'mail')]);
    if (chown.status !== 0) throw new Error(`chown dovecot:dovecot failed: ${chown.stderr}`);
  }
  await writeFile(path.join(dir, 'users'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const port = await freePort();
  const conf = `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/run
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 1
namespace inbox {
  inbox = yes
  separator = /
  mailbox Done {
    auto = create
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
}
`;
  const confFile = path.join(dir, 'dovecot.conf');
  await writeFile(confFile, conf, { mode: 0o644 });
  // It daemonises and its daemon inherits stdio: a pipe would keep spawnSync waiting for good.
  // Start-up errors go to a file instead.
  const errFile = path.join(dir, 'start.err');
  const errFd = openSync(errFile, 'w');
  const res = spawnSync(binary, ['-c', confFile], { stdio: ['ignore', 'ignore', errFd], timeout: 10_000 });
  closeSync(errFd);
  if (res.status !== 0) {
    throw new Error(`dovecot -c ${confFile} failed: ${await readFile(errFile, 'utf8').catch(() => '')}`);
  }
  const pidFile = path.join(dir, 'run', 'master.pid');
  try {
    await waitForGreeting(port, path.join(dir, 'dovecot.log'));
  } catch (err) {
    await stopByPid(pidFile);
    throw err;
  }
  const enc = encodeURIComponent;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    url: `imap://${enc(user)}:${enc(password)}@127.0.0.1:${port}/`,
    clientOptions: { host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false },
    async stop() {
      await stopByPid(pidFile);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM to the master PID, then wait until it is gone (its children follow it). */
async function stopByPid(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(pid, 'SIGKILL');
}

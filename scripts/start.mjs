#!/usr/bin/env node
// `npm start` / `npm run worker`: runs the compiled product from dist/, rebuilding first when a
// source file is newer than the last build (so a fresh clone or an edited tree just works).
//
// Signals. npm relays SIGINT/SIGTERM only to its direct child, the `sh -c` running the script,
// and sh does not pass them on: so package.json `exec`s this file in place of the shell. A signal
// to the whole process group (Ctrl-C, `kill -- -PGID`) then arrives here twice: directly and
// relayed by npm. The server/worker stop on the first one with `process.once` handlers; the
// listener below keeps the second from hitting Node's default action (instant death, leaving the
// embedded PostgreSQL running), and stops things itself before those handlers exist.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const EXIT_CODE = { SIGINT: 130, SIGTERM: 143 };

let build; // the running build, while there is one
let handedOver = false;
function onSignal(signal) {
  // Registered first, so while the server's own handler is still registered it runs after this
  // one and owns the shutdown (HTTP server, pool, embedded PostgreSQL last).
  if (process.listenerCount(signal) > 1) {
    handedOver = true;
    return;
  }
  // A repeat (npm relaying the group's signal) during that shutdown: the server's own force-exit
  // timer bounds it.
  if (handedOver) return;
  // Before the product could install its handlers (building, starting up): nothing to finish.
  // The build runs in its own process group (its sh would not pass a signal on either).
  if (build) {
    try {
      process.kill(-build.pid, signal);
    } catch {
      /* already gone */
    }
  }
  // src/db/embedded.ts stops a postmaster it has spawned on process exit.
  process.exit(EXIT_CODE[signal]);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

const sources = ['src', 'admin', 'widget/src', 'scripts', 'prisma/schema.prisma', 'package.json'].map((p) => path.join(root, p));
const sourceTime = Math.max(...sources.map(newestMtime));
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sourceTime) {
  process.stdout.write('Building ContactDesk (sources changed since the last build)...\n');
  // Asynchronous, so a signal during the build is handled at once rather than after it.
  build = spawn('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit', detached: true });
  const status = await new Promise((resolve) => {
    build.once('error', () => resolve(1));
    build.once('exit', (code) => resolve(code ?? 1));
  });
  build = undefined;
  if (status !== 0) process.exit(status);
}

const entry = process.argv.includes('--worker') ? 'dist/src/worker.js' : 'dist/src/server.js';
await import(pathToFileURL(path.join(root, entry)).href);

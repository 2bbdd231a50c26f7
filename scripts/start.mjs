#!/usr/bin/env node
// `npm start` / `npm run worker`: runs the compiled product from dist/, rebuilding first when a
// source file is newer than the last build (so a fresh clone or an edited tree just works).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

const sources = ['src', 'admin', 'scripts', 'prisma/schema.prisma', 'package.json'].map((p) => path.join(root, p));
const sourceTime = Math.max(...sources.map(newestMtime));
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sourceTime) {
  process.stdout.write('Building ContactDesk (sources changed since the last build)...\n');
  const res = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

const entry = process.argv.includes('--worker') ? 'dist/src/worker.js' : 'dist/src/server.js';
await import(pathToFileURL(path.join(root, entry)).href);

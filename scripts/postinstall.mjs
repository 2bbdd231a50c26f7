#!/usr/bin/env node
// Runs after `npm install` / `npm ci`: builds dist/ (TypeScript + the AdminJS component bundle)
// so `npm start` starts in about a second instead of building on first request.
import { spawnSync } from 'node:child_process';

const res = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (res.status !== 0) process.exit(res.status ?? 1);

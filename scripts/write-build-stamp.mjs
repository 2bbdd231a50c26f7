// Marks dist/ as built from the current sources (scripts/start.mjs compares mtimes with it).
import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('dist', { recursive: true });
writeFileSync('dist/.build-stamp', new Date().toISOString());

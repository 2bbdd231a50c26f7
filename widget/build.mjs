#!/usr/bin/env node
// Bundles the embeddable form (widget/src) into widget-bundle/widget.js: one minified IIFE with lit
// inside, served by src/widget/widget.routes.ts. Run by `npm run build` (and so by `npm install`).
// Prints the raw and gzipped sizes; fails when the gzipped size passes the 25 kB budget.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'widget-bundle', 'widget.js');
const BUDGET_GZIP = 25 * 1024;

// esbuild is a devDependency: an `npm install --omit=dev` cannot bundle, and says so.
let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  console.error(
    'widget/build.mjs: esbuild is not installed (a devDependency): install with dev dependencies to build the widget',
  );
  process.exit(1);
}
mkdirSync(path.dirname(outfile), { recursive: true });
await build({
  entryPoints: [path.join(root, 'widget', 'src', 'contactdesk-form.ts')],
  outfile,
  bundle: true,
  minify: true,
  format: 'iife',
  // Browsers with native custom elements, shadow DOM and <dialog> (2022+).
  target: ['es2021', 'chrome100', 'firefox100', 'safari15.4'],
  legalComments: 'none',
  logLevel: 'warning',
});
const raw = readFileSync(outfile);
const gz = gzipSync(raw, { level: 9 }).length;
console.log(`widget-bundle/widget.js: ${(raw.length / 1024).toFixed(1)} kB, ${(gz / 1024).toFixed(1)} kB gzipped`);
if (gz > BUDGET_GZIP) {
  console.error(`widget bundle is over its budget of ${BUDGET_GZIP / 1024} kB gzipped`);
  process.exit(1);
}

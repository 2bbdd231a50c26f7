// Where the panel's files live, for both `tsx admin/...` (sources) and `node dist/admin/...`
// (compiled): components are always bundled from the .tsx sources, and the pre-built bundle sits
// in a non-dot folder because Express 5 refuses to serve files from dot-folders.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('ContactDesk: cannot find the project root (package.json)');
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot();
export const ADMIN_COMPONENTS_DIR = path.join(PROJECT_ROOT, 'admin', 'components');
export const ADMIN_BUNDLE_DIR = path.join(PROJECT_ROOT, 'admin-bundle');
/** AdminJS writes the bundle to `<ADMIN_JS_TMP_DIR>/bundle.js`. */
export const ADMIN_BUNDLE_FILE = path.join(ADMIN_BUNDLE_DIR, 'bundle.js');

/**
 * AdminJS reads these variables when its modules are first imported, so this must run before
 * anything imports `adminjs`. A production server never bundles on a request: with a pre-built
 * bundle it skips bundling entirely; without one it bundles once at start-up (see index.ts).
 */
export function configureAdminJsEnv(opts: { production: boolean }): { bundleExists: boolean } {
  process.env.ADMIN_JS_TMP_DIR = ADMIN_BUNDLE_DIR;
  const bundleExists = existsSync(ADMIN_BUNDLE_FILE);
  if (opts.production && bundleExists) process.env.ADMIN_JS_SKIP_BUNDLE = 'true';
  return { bundleExists };
}

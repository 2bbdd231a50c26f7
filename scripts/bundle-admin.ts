// Builds the AdminJS panel's component bundle ahead of time (`npm run build` runs it after tsc):
// admin-bundle/bundle.js, minified, in a non-dot folder Express 5 will serve. A production
// server then starts with ADMIN_JS_SKIP_BUNDLE=true and never bundles on a request.
// AdminJS reads NODE_ENV and ADMIN_JS_TMP_DIR when first imported: hence the dynamic imports.
process.env.NODE_ENV = 'production';
delete process.env.ADMIN_JS_SKIP_BUNDLE;

const started = Date.now();
const { configureAdminJsEnv, ADMIN_BUNDLE_FILE } = await import('../admin/paths.js');
configureAdminJsEnv({ production: false });
const { AdminJS } = await import('adminjs');
const { bundleOptions } = await import('../admin/panel.js');

// Only the component loader and env shape the bundle: no resources, no database.
await new AdminJS(bundleOptions()).initialize();
process.stdout.write(`Panel components bundled to ${ADMIN_BUNDLE_FILE} in ${Date.now() - started} ms\n`);

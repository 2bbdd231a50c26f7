// The pre-built widget bundle (widget/build.mjs → widget-bundle/widget.js, run by `npm run build`),
// read once and kept with its gzip / brotli forms and ETag: the file is fetched by every visitor
// of every embedding site, so it is compressed once, not per request.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('ContactDesk: cannot find the project root (package.json)');
    dir = parent;
  }
  return dir;
}

export const WIDGET_BUNDLE_FILE = path.join(findProjectRoot(), 'widget-bundle', 'widget.js');

export interface LoadedBundle {
  raw: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
  /** Short content hash: `/widget.js?v=<version>` may be cached for a year. */
  version: string;
  mtimeMs: number;
}

let loaded: LoadedBundle | null = null;

/** The bundle, or null when it was never built. Outside production a rebuilt file is picked up. */
export function widgetBundle(opts: { production: boolean }): LoadedBundle | null {
  if (loaded && opts.production) return loaded;
  if (!existsSync(WIDGET_BUNDLE_FILE)) return null;
  const mtimeMs = statSync(WIDGET_BUNDLE_FILE).mtimeMs;
  if (loaded && loaded.mtimeMs === mtimeMs) return loaded;
  const raw = readFileSync(WIDGET_BUNDLE_FILE);
  const hash = createHash('sha256').update(raw).digest('base64url');
  loaded = {
    raw,
    gzip: gzipSync(raw, { level: 9 }),
    br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    etag: `"${hash.slice(0, 27)}"`,
    version: hash.slice(0, 12),
    mtimeMs,
  };
  return loaded;
}

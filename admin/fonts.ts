// The panel's font, served from here instead of Google Fonts (no third-party request from the
// login page or the panel, issue 13). AdminJS's layout links Roboto 300/400/500/700 from
// fonts.googleapis.com; withLocalFonts swaps that link for /admin/frontend/assets/fonts/roboto.css,
// which is @fontsource/roboto's CSS for the same weights joined into one file. Its url(./files/…)
// references resolve next to it, to the package's woff2 files; each @font-face keeps its
// unicode-range, so a browser downloads only the scripts a page shows (latin: ~20 kB per weight).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';
import { UNVERSIONED } from './assets.js';

const WEIGHTS = [300, 400, 500, 700];
const FONTS_PATH = '/frontend/assets/fonts';
const GOOGLE_FONT_LINK = /<link rel="stylesheet" href="https:\/\/fonts\.googleapis\.com[^>]*>/g;

const packageDir = path.dirname(createRequire(import.meta.url).resolve('@fontsource/roboto/package.json'));
// Read once: four small files (the woff references keep only the woff2 ones every panel browser reads).
const css = WEIGHTS.map((w) => readFileSync(path.join(packageDir, `${w}.css`), 'utf8'))
  .join('\n')
  .replace(/, url\(\.\/files\/[^)]+\.woff\) format\('woff'\)/g, '');

/** GET …/fonts/roboto.css and …/fonts/files/*.woff2 (cached a day; the files never change within a version). */
export function mountFonts(router: Router): void {
  router.get(`${FONTS_PATH}/roboto.css`, (_req, res) => {
    res.setHeader('Cache-Control', UNVERSIONED);
    res.type('text/css').send(css);
  });
  router.use(`${FONTS_PATH}/files`, express.static(path.join(packageDir, 'files'), { maxAge: '1d', index: false }));
  // Anything else under it (an unknown or malformed name) is a plain 404, not the login redirect.
  router.use(`${FONTS_PATH}/files`, (_req, res) => void res.status(404).end());
}

/** The page with the Google Fonts stylesheet replaced by ours. */
export function withLocalFonts(html: string, rootPath: string): string {
  return html.replace(GOOGLE_FONT_LINK, `<link rel="stylesheet" href="${rootPath}${FONTS_PATH}/roboto.css">`);
}

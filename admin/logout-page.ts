// GET /admin/logout: a small confirmation page whose button POSTs the logout (a GET never signs
// anyone out). Plain HTML, no script: it passes the panel's CSP as it is.
import { escapeHtml as esc } from '../src/shared/text.js';

export function logoutPage(opts: { action: string; back: string }): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log out – ContactDesk</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;line-height:1.5}
button{font:inherit;padding:.5rem 1.25rem;border:0;border-radius:4px;background:#3040d6;color:#fff;cursor:pointer}
a{margin-left:1rem}</style></head>
<body><main><h1>Log out of ContactDesk?</h1>
<form method="post" action="${esc(opts.action)}"><button type="submit">Log out</button><a href="${esc(opts.back)}">Back to the panel</a></form>
</main></body></html>`;
}

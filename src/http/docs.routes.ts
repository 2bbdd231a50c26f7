// GET /api/v1/openapi.json (the generated OpenAPI 3.1 document) and GET /api/docs: a readable,
// self-contained HTML reference rendered here from that same document. No scripts, no CDN:
// the page works offline and under a strict Content-Security-Policy.
import { Router } from 'express';
import { escapeHtml } from '../shared/text.js';
import { openApiDocument, type JsonSchema } from './openapi.js';

const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

const esc = (s: unknown) => escapeHtml(String(s));

/** Inline `code` spans in descriptions (the only markup the document uses). */
const prose = (s: unknown) => esc(s ?? '').replace(/`([^`]+)`/g, '<code>$1</code>');

const anchor = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');

function typeLabel(s: JsonSchema | undefined): string {
  if (!s) return 'any';
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    return `<a href="#schema-${anchor(name)}">${esc(name)}</a>`;
  }
  const variants = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (variants) return variants.map(typeLabel).join(' | ');
  if (Array.isArray(s.enum)) return s.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  if ('const' in s) return `<code>${esc(JSON.stringify(s.const))}</code>`;
  if (s.type === 'array') return `array of ${typeLabel(s.items as JsonSchema)}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object')
    return `map of ${typeLabel(s.additionalProperties as JsonSchema)}`;
  const type = Array.isArray(s.type) ? s.type.join(' | ') : String(s.type ?? 'any');
  return s.format ? `${esc(type)} (${esc(s.format)})` : esc(type);
}

function constraints(s: JsonSchema): string {
  const notes: string[] = [];
  const add = (key: string, label: string) => {
    if (s[key] !== undefined && Math.abs(Number(s[key])) < Number.MAX_SAFE_INTEGER) notes.push(`${label} ${s[key]}`);
  };
  add('minLength', 'min length');
  add('maxLength', 'max length');
  add('minimum', 'min');
  add('maximum', 'max');
  add('maxItems', 'max items');
  if (s.default !== undefined) notes.push(`default <code>${esc(JSON.stringify(s.default))}</code>`);
  return notes.join(', ');
}

/** A description followed by its constraints as a sentence ("Max length 200."). */
function notes(description: unknown, limits: string): string {
  const text = prose(description ?? '');
  const sentence = limits ? `${limits[0]!.toUpperCase()}${limits.slice(1)}.` : '';
  return [text, sentence].filter(Boolean).join(' ');
}

/** One row per property, nested objects flattened as parent.child, arrays of objects as parent[].child. */
function fieldRows(s: JsonSchema, prefix = '', depth = 0): string[] {
  const props = s.properties as Record<string, JsonSchema> | undefined;
  if (!props || depth > 3) return [];
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries(props).flatMap(([name, p]) => {
    const full = `${prefix}${name}`;
    const nullableObject = ((p.anyOf as JsonSchema[] | undefined) ?? []).find((v) => v.type === 'object');
    const nested = p.type === 'object' ? p : nullableObject;
    const items = p.type === 'array' ? (p.items as JsonSchema) : undefined;
    const note = notes(p.description, constraints(p));
    const row = `<tr><td><code>${esc(full)}</code></td><td>${typeLabel(nested && nested !== p ? { anyOf: [{ type: 'object' }, { type: 'null' }] } : p)}</td><td>${required.has(name) ? 'yes' : ''}</td><td>${note}</td></tr>`;
    return [
      row,
      ...(nested ? fieldRows(nested, `${full}.`, depth + 1) : []),
      ...(items?.type === 'object' ? fieldRows(items, `${full}[].`, depth + 1) : []),
    ];
  });
}

function fieldsTable(s: JsonSchema | undefined): string {
  if (!s) return '';
  if (s.$ref) return `<p>${typeLabel(s)}</p>`;
  const rows = fieldRows(s);
  if (!rows.length) return `<p>${typeLabel(s)}</p>`;
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A request body: the schema's name (linked) and its fields right here, so nobody has to scroll. */
function bodySchema(doc: JsonSchema, s: JsonSchema | undefined): string {
  if (!s?.$ref) return fieldsTable(s);
  const resolved = resolveRef(doc, s.$ref as string) as JsonSchema;
  const rows = fieldRows(resolved);
  if (!rows.length) return `<p>${typeLabel(s)} (no fields: send nothing or <code>{}</code>)</p>`;
  return `<p>${typeLabel(s)}</p>${fieldsTable(resolved)}`;
}

function authLabel(op: JsonSchema, doc: JsonSchema): string {
  const security = (op.security ?? doc.security ?? []) as JsonSchema[];
  if (!security.length) return 'No authentication.';
  if (security.some((r) => Object.keys(r).length === 0)) return 'Bearer token optional.';
  return 'Bearer token required.';
}

function renderOperation(path: string, method: string, op: JsonSchema, doc: JsonSchema): string {
  const params = (op.parameters as JsonSchema[] | undefined) ?? [];
  const paramTable = params.length
    ? `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Notes</th></tr></thead><tbody>${params
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code>${p.required ? ' *' : ''}</td><td>${esc(p.in)}</td><td>${typeLabel(p.schema as JsonSchema)}</td><td>${notes(p.description, constraints(p.schema as JsonSchema))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const body = op.requestBody as JsonSchema | undefined;
  const bodyContent = (body?.content ?? {}) as Record<string, JsonSchema>;
  const mediaTypes = Object.keys(bodyContent).map((t) => `<code>${esc(t)}</code>`);
  const bodyHtml = body
    ? `<h4>Body</h4><p>${mediaTypes.join(', ')}${body.required ? '' : ' (optional)'}</p>` +
      bodySchema(doc, Object.values(bodyContent)[0]?.schema as JsonSchema)
    : '';
  const responses = Object.entries((op.responses ?? {}) as Record<string, JsonSchema>).map(([code, r]) => {
    const resolved = (r.$ref ? resolveRef(doc, r.$ref as string) : r) as JsonSchema;
    const content = (resolved.content ?? {}) as Record<string, JsonSchema>;
    const [type, media] = Object.entries(content)[0] ?? [];
    const schema = media ? typeLabel(media.schema as JsonSchema) : '';
    return `<tr><td><code>${esc(code)}</code></td><td>${prose(resolved.description)}</td><td>${type ? `<code>${esc(type)}</code> ${schema}` : ''}</td></tr>`;
  });
  const id = `op-${method}-${anchor(path)}`;
  return `<section class="op" id="${id}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p class="summary">${esc(op.summary ?? '')} — <em>${authLabel(op, doc)}</em></p><p>${prose(op.description ?? '')}</p>
${paramTable}${bodyHtml}<h4>Responses</h4><table><thead><tr><th>Status</th><th>Meaning</th><th>Body</th></tr></thead><tbody>${responses.join('')}</tbody></table></section>`;
}

function resolveRef(doc: JsonSchema, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2430;background:#fafbfc}
main{max-width:1100px;margin:auto;padding:1.5rem}nav>ul{columns:2;padding-left:1.2rem}nav li{break-inside:avoid}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;background:#fff}th,td{border:1px solid #d8dee4;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f4}code{font-family:ui-monospace,monospace;font-size:.9em}.op{border-top:1px solid #d8dee4;padding-top:.5rem}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:4px;color:#fff;font-size:.8em;padding:.1rem .4rem}
.get{background:#2f6fb0}.post{background:#2e8540}.patch{background:#a36b00}.delete{background:#b3261e}.put{background:#6b4fbb}`;

export function renderDocsHtml(doc: JsonSchema): string {
  const info = doc.info as JsonSchema;
  const paths = doc.paths as Record<string, Record<string, JsonSchema>>;
  const ops = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m]! })),
  );
  const tags = (doc.tags as JsonSchema[]).map((t) => String(t.name));
  const byTag = tags.map((tag) => ({ tag, ops: ops.filter((o) => ((o.op.tags as string[]) ?? [])[0] === tag) }));
  const toc = byTag
    .map(
      ({ tag, ops: list }) =>
        `<li><strong>${esc(tag)}</strong><ul>${list.map((o) => `<li><a href="#op-${o.method}-${anchor(o.path)}">${o.method.toUpperCase()} ${esc(o.path)}</a></li>`).join('')}</ul></li>`,
    )
    .join('');
  const schemas = Object.entries(((doc.components as JsonSchema).schemas ?? {}) as Record<string, JsonSchema>)
    .map(([name, s]) => `<section id="schema-${anchor(name)}"><h3>${esc(name)}</h3>${fieldsTable(s)}</section>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(info.title)} reference</title><style>${STYLE}</style></head><body><main>
<h1>${esc(info.title)} <small>v${esc(info.version)}</small></h1><p>${prose(info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a> (OpenAPI ${esc(doc.openapi)}).</p>
<nav><h2>Endpoints</h2><ul>${toc}</ul></nav>
${byTag.map(({ tag, ops: list }) => `<h2>${esc(tag)}</h2>${list.map((o) => renderOperation(o.path, o.method, o.op, doc)).join('\n')}`).join('\n')}
<h2>Schemas</h2>${schemas}</main></body></html>`;
}

export function createDocsRouter(): Router {
  const router = Router();
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  let html: string | undefined;
  router.get('/api/docs', (_req, res) => {
    html ??= renderDocsHtml(openApiDocument());
    res
      .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .type('html')
      .send(html);
  });
  return router;
}

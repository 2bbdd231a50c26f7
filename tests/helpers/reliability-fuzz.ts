// A deterministic generator of malformed requests for every public and moderator endpoint. Every
// request it makes is invalid by construction (at least one definitely-wrong part), so the only
// acceptable answers are 4xx with the documented error body, and nothing may be written.
// Seeded (mulberry32): a failure report names the request index, which regenerates it exactly.

export interface FuzzRequest {
  index: number;
  endpoint: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface FuzzTargets {
  /** Existing ticket ids (mutations against them always carry an invalid body). */
  ticketIds: string[];
  moderatorAuth: Record<string, string>;
  adminAuth: Record<string, string>;
}

export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const UNICODE = [
  '\u202Eevil\u202C', // RTL override
  'مرحبا بالعالم', // Arabic
  '👩‍👩‍👧‍👦🏳️‍🌈', // emoji ZWJ sequences
  'e\u0301\u0302\u0303\u0304\u0305', // stacked combining marks
  'Z̷̢̛̪a̸̢͎l̵̨͚g̶̢̛o̷̧͝',
  '\uFEFFbom',
  '\u200B\u200C\u200D',
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  '𝕳𝖊𝖑𝖑𝖔',
  '\uFFFF\uFFFE',
];
const CONTROL = ['\u0000', 'a\u0000b', '\u0007', '\u001B[31m', '\u007F', 'x\u0008y'];
const WRONG_TYPES: unknown[] = [0, -1, 1.5, 1e308, true, false, null, [], ['a'], {}, { a: 1 }, [[[]]]];
const BAD_UUIDS = [
  'not-a-uuid',
  '123',
  '00000000-0000-0000-0000-00000000000',
  '00000000-0000-0000-0000-0000000000000',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  '%00',
  '..%2F..%2Fetc',
  '%E2%80%AE',
  '%E0%A4%A', // malformed percent-encoding
  '%',
  'null',
  'undefined',
  '1%20OR%201=1',
  "'%3B%20DROP%20TABLE%20users%3B--",
  'a'.repeat(2_000),
];
const SUBMIT_FIELDS = ['name', 'email', 'subject', 'message', 'category'] as const;

function randomUuid(r: Rng): string {
  const hex = () => r.int(16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

function deep(r: Rng): unknown {
  // JSON.stringify recurses: keep values it must serialise shallow enough for the client's stack.
  const depth = 50 + r.int(1_000);
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = r.next() < 0.5 ? [v] : { a: v };
  return v;
}

/** UTF-8 percent-encoding that never throws (a lone surrogate becomes U+FFFD's bytes). */
function percentEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

function unicodeText(r: Rng): string {
  return Array.from({ length: 1 + r.int(4) }, () => r.pick(UNICODE)).join(' ');
}

/** A value that the field's schema must refuse. */
function badValue(r: Rng, field: string): unknown {
  switch (r.int(7)) {
    case 0:
      return r.pick(WRONG_TYPES);
    case 1:
      return 'x'.repeat(field === 'message' ? 20_001 : 256 + r.int(2_000));
    case 2:
      return `${unicodeText(r)}${r.pick(CONTROL)}`;
    case 3:
      return field === 'message' ? '   ' : `${unicodeText(r)}\n${unicodeText(r)}`;
    case 4:
      return deep(r);
    case 5:
      return '';
    default:
      return field === 'email'
        ? r.pick(['no-at-sign', 'a@', '@b.c', 'a b@c.d', 'x@y\r\nBcc: z@q'])
        : r.pick(WRONG_TYPES);
  }
}

function validSubmit(r: Rng): Record<string, unknown> {
  return {
    name: r.next() < 0.5 ? unicodeText(r) : 'Ada Lovelace',
    email: 'ada@example.com',
    subject: r.next() < 0.5 ? unicodeText(r) : 'Question',
    message: r.next() < 0.5 ? `${unicodeText(r)}\n${unicodeText(r)}` : 'Hello',
    category: 'general',
  };
}

/** A valid-looking submit body with at least one field made definitely invalid. */
function badSubmitObject(r: Rng): Record<string, unknown> {
  const body = validSubmit(r);
  const mutations = 1 + r.int(3);
  for (let i = 0; i < mutations; i++) {
    const kind = r.int(5);
    if (kind === 0) delete body[r.pick(SUBMIT_FIELDS.slice(0, 4))];
    else if (kind === 1) body[r.pick(['phone', 'admin', '__proto__x', 'status', 'id', 'ticket_number'])] = 'x';
    else if (kind === 2) body.category = r.pick(['GENERAL', 'urgent', '', 'general ', 7]);
    else {
      const field = r.pick(SUBMIT_FIELDS);
      body[field] = field === 'category' ? r.pick(WRONG_TYPES) : badValue(r, field);
    }
  }
  // A mutation may have been undone by a later one (e.g. deleting an already-bad field): make sure.
  if (SUBMIT_FIELDS.every((f) => typeof body[f] === 'string') && Object.keys(body).length === 5) body.extra = 1;
  return body;
}

const json = (v: unknown) => ({ 'content-type': 'application/json' as const, body: JSON.stringify(v) });

/** Raw bodies no JSON endpoint may accept. */
function badRawBody(r: Rng): { contentType: string; body: string | Uint8Array } {
  switch (r.int(9)) {
    case 0:
      return {
        contentType: 'application/json',
        body: r.pick(['{', '{"name":', '{"a":1,}', "{'a':1}", 'nul', '"x', '[1,2', '{"a" 1}']),
      };
    case 1:
      return { contentType: 'application/json', body: 'null' };
    case 2:
      return {
        contentType: 'application/json',
        body: Uint8Array.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]),
      };
    case 3:
      return { contentType: 'application/json', body: '['.repeat(3_000 + r.int(10_000)) + ']'.repeat(3_000) };
    case 4:
      return { contentType: 'application/json', body: JSON.stringify({ a: 'x'.repeat(70_000) }) };
    case 5:
      return {
        contentType: r.pick([
          'text/plain',
          'application/xml',
          'multipart/form-data; boundary=x',
          'image/png',
          'application/json; charset=utf-16',
        ]),
        body: '{"name":"x"}',
      };
    case 6:
      return {
        contentType: 'application/json',
        body: '{"name":"a","name":' + JSON.stringify(r.pick(WRONG_TYPES)) + '}',
      };
    case 7:
      return { contentType: 'application/json', body: '\u0000\u0000\u0000' };
    default: {
      // Balanced and valid JSON, but 2,000–20,000 levels deep (built as text: no recursion here).
      const n = 2_000 + r.int(18_000);
      const [open, close] = r.next() < 0.5 ? ['[', ']'] : ['{"a":', '}'];
      return { contentType: 'application/json', body: open.repeat(n) + '1' + close.repeat(n) };
    }
  }
}

function badForm(r: Rng): string {
  const parts = [
    'name=Ada&name=Lovelace&email=a%40b.c&subject=s&message=m',
    'name=%00&email=a%40b.c&subject=s&message=m',
    'name=%E0%A4%A&email=%FF%FE&subject=s&message=m',
    'email=not-an-email&name=a&subject=s&message=m',
    `name=${'x'.repeat(300)}&email=a%40b.c&subject=s&message=m`,
    Array.from({ length: 150 }, (_, i) => `p${i}=1`).join('&'),
    'name=a&email=a%40b.c&subject=s%0D%0ABcc:%20x@y.z&message=m',
  ];
  return r.pick(parts);
}

const LIST_QUERIES = [
  'page=0',
  'page=-1',
  'page=abc',
  'page=1e99',
  'page=1&page=2',
  'page_size=101',
  'page_size=0',
  'status=bogus',
  'status=pending&status=nope',
  'category=GENERAL',
  'assigned_to=someone',
  'created_after=yesterday',
  'created_before=2025-13-45',
  'ordering=-ip_address', // a column that is not sortable (name is, since the list sorts by requester)
  'include_archived=maybe',
  'q=%00',
  `q=${'x'.repeat(201)}`,
  'q=a&q=b',
  'q=%1B%5B31m',
  'unknown=1',
  'stauts=pending',
  'page[]=1',
  'q=%E0%A4%A&page=0',
];
const AUDIT_QUERIES = [
  'entity=x',
  'actor_id=bad',
  'limit=0',
  'limit=201',
  'limit=abc',
  'before=-1',
  'from=notadate',
  'entity_id=1',
  'zzz=1',
  'source=hacker',
];
const BAD_AUTH = [
  'Bearer',
  'Bearer ',
  'Bearer x',
  'Basic dXNlcjpwYXNz',
  `Bearer ${'a'.repeat(4_000)}`,
  'Bearer cd_invalid_token_value',
];

/** The index-th malformed request (same index and targets → same request). */
export function malformedRequest(index: number, t: FuzzTargets, seed = 20260301): FuzzRequest {
  const r = rng(seed + index * 7919);
  const someId = () => (r.next() < 0.5 ? r.pick(BAD_UUIDS) : randomUuid(r));
  const anyId = () => (r.next() < 0.3 && t.ticketIds.length ? r.pick(t.ticketIds) : someId());
  const req = (
    endpoint: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string | Uint8Array,
  ): FuzzRequest => ({ index, endpoint, method, path, headers: { accept: 'application/json', ...headers }, body });
  const invalidJsonBody = (auth: Record<string, string>) => {
    if (r.next() < 0.5) {
      const raw = badRawBody(r);
      return { headers: { ...auth, 'content-type': raw.contentType }, body: raw.body };
    }
    return null;
  };

  switch (r.int(13)) {
    case 0:
    case 1: {
      const raw = invalidJsonBody({});
      if (raw) return req('submit', 'POST', '/api/v1/contact/submit', raw.headers, raw.body);
      if (r.next() < 0.2)
        return req(
          'submit',
          'POST',
          '/api/v1/contact/submit',
          { 'content-type': 'application/x-www-form-urlencoded' },
          badForm(r),
        );
      const { body, ...h } = json(badSubmitObject(r));
      return req('submit', 'POST', '/api/v1/contact/submit', h, body);
    }
    case 2: {
      const raw = invalidJsonBody({});
      if (raw) return req('token', 'POST', '/api/v1/auth/token', raw.headers, raw.body);
      const bodies = [
        {},
        { email: 1, password: 'x' },
        { email: 'a@b.c' },
        { password: 'x' },
        { email: 'a@b.c', password: 'x', extra: 1 },
        { email: [], password: {} },
        { email: 'a@b.c', password: 'x'.repeat(5_000) },
        { email: 'x'.repeat(300), password: 'x' },
      ];
      const { body, ...h } = json(r.pick(bodies));
      return req('token', 'POST', '/api/v1/auth/token', h, body);
    }
    case 3:
      return req(
        'list',
        'GET',
        `/api/v1/contact/?${r.pick(LIST_QUERIES)}${r.next() < 0.3 ? `&${r.pick(LIST_QUERIES)}` : ''}`,
        t.moderatorAuth,
      );
    case 4:
      return req('export', 'GET', `/api/v1/contact/export.csv?${r.pick(LIST_QUERIES)}`, t.moderatorAuth);
    case 5:
      return req('get', 'GET', `/api/v1/contact/${someId()}${r.next() < 0.2 ? '/history' : ''}`, t.moderatorAuth);
    case 6: {
      const id = anyId();
      const raw = invalidJsonBody(t.moderatorAuth);
      if (raw) return req('patch', 'PATCH', `/api/v1/contact/${id}`, raw.headers, raw.body);
      const bodies: unknown[] = [
        {},
        { status: 'closed' },
        { status: 1 },
        { category: 'x' },
        { assigned_to_id: 'me' },
        { admin_notes: 'x'.repeat(20_001) },
        { admin_notes: `${unicodeText(r)}\u0000` },
        { id: randomUuid(r) },
        [],
        { status: 'resolved', extra: true },
        { assigned_to_id: 5 },
        { admin_notes: deep(r) },
      ];
      const { body, ...h } = json(r.pick(bodies));
      return req('patch', 'PATCH', `/api/v1/contact/${id}`, { ...t.moderatorAuth, ...h }, body);
    }
    case 7:
    case 8: {
      const action = r.pick(['assign-to-me', 'mark-resolved', 'reopen', 'archive', 'restore']);
      const id = anyId();
      const raw = invalidJsonBody(t.moderatorAuth);
      if (raw) return req(action, 'POST', `/api/v1/contact/${id}/${action}`, raw.headers, raw.body);
      const bodies: unknown[] = [
        { force: 'yes' },
        { force: 1 },
        { x: 1 },
        [],
        { resolution_notes: 123 },
        { resolution_notes: 'x'.repeat(20_001) },
        { resolution_notes: '\u0000' },
        { force: true, extra: 1 },
        'string',
      ];
      const { body, ...h } = json(r.pick(bodies));
      return req(action, 'POST', `/api/v1/contact/${id}/${action}`, { ...t.moderatorAuth, ...h }, body);
    }
    case 9:
      // Admin token, but never an existing ticket: a bad or unknown id only.
      return req('delete', 'DELETE', `/api/v1/contact/${someId()}`, t.adminAuth);
    case 10:
      return req('audit', 'GET', `/api/v1/audit/events?${r.pick(AUDIT_QUERIES)}`, t.adminAuth);
    case 11: {
      // Malformed credentials on endpoints that need them (including revoking "the current token").
      const target = r.pick([
        ['GET', '/api/v1/contact/'],
        ['GET', '/api/v1/contact/stats/overview'],
        ['DELETE', '/api/v1/auth/token'],
        ['POST', '/api/v1/contact/submit'],
      ] as const);
      const headers: Record<string, string> = { authorization: r.pick(BAD_AUTH) };
      let body: string | undefined;
      if (target[1].endsWith('submit')) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(badSubmitObject(r));
      }
      return req('bad-auth', target[0], target[1], headers, body);
    }
    default: {
      // Unknown routes and methods.
      const [method, path] = r.pick([
        ['PUT', '/api/v1/contact/submit'],
        ['GET', '/api/v1/contact/submit'],
        ['POST', '/api/v1/contact/'],
        ['GET', '/api/v2/contact/'],
        ['POST', `/api/v1/contact/${someId()}/explode`],
        ['GET', `/api/v1/${percentEncode(unicodeText(r))}`],
      ] as const);
      return req('unknown-route', method, path, t.moderatorAuth);
    }
  }
}

// Server-side request forgery guard for webhook URLs. An admin types the URL, but a URL is not
// an address: its name can resolve to the database host, the cloud metadata service or a router.
// So every attempt resolves the name itself, refuses any answer in a non-public range (unless
// WEBHOOK_ALLOW_PRIVATE), and then connects to exactly the address it checked (sender.ts passes
// it as the socket's lookup result): a second DNS answer (rebinding) never reaches the socket.
import { lookup } from 'node:dns/promises';
import net from 'node:net';

/** A request that must not be made; retrying cannot help (the delivery fails for good). */
export class WebhookRefusedError extends Error {}

// IPv4 ranges that are not the public internet (RFC 6890 and friends).
const V4_BLOCKED: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const V6_BLOCKED: Array<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const lists = new Map<string, net.BlockList>();
for (const [addr, prefix, reason] of [...V4_BLOCKED, ...V6_BLOCKED]) {
  const list = lists.get(reason) ?? new net.BlockList();
  list.addSubnet(addr, prefix, net.isIPv4(addr) ? 'ipv4' : 'ipv6');
  lists.set(reason, list);
}

/** The 16 bytes of an IPv6 address (any textual form, zone id dropped), or null. */
function v6Bytes(ip: string): number[] | null {
  let s = ip.split('%')[0]!.toLowerCase();
  if (!net.isIPv6(s)) return null;
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
}

/**
 * The IPv4 address an IPv6 address carries, for the forms a socket would actually deliver to
 * that IPv4 host: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64
 * (64:ff9b::a.b.c.d). Null for any other IPv6 address.
 */
export function embeddedIPv4(ip: string): string | null {
  const b = v6Bytes(ip);
  if (!b) return null;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const mapped = zeros(0, 10) && b[10] === 0xff && b[11] === 0xff;
  const compatible = zeros(0, 12) && !zeros(12, 16) && !(zeros(12, 15) && b[15] === 1);
  const nat64 = b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12);
  return mapped || compatible || nat64 ? b.slice(12).join('.') : null;
}

/** Why an address is not a public one ("loopback", "private", …), or null when it is public. */
export function blockedReason(ip: string): string | null {
  const bare = ip.replace(/^\[|\]$/g, '').split('%')[0]!;
  const family = net.isIP(bare);
  if (family === 0) return 'not an IP address';
  const v4 = family === 4 ? bare : embeddedIPv4(bare);
  const [addr, type] = v4 ? [v4, 'ipv4' as const] : [bare, 'ipv6' as const];
  for (const [reason, list] of lists)
    if (list.check(addr, type)) return v4 && family === 6 ? `IPv4-mapped ${reason}` : reason;
  return null;
}

/**
 * The URL rules checked when an endpoint is saved and again before each attempt: http(s) only,
 * https only in production, no credentials in the URL. Returns the message for the `url` field.
 */
export function urlProblem(raw: string, opts: { production: boolean }): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL like https://hooks.example.com/contactdesk';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !opts.production))
    return opts.production ? 'must be an https:// URL' : 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (!url.hostname) return 'must name a host';
  return null;
}

export interface Target {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the URL's host once and checks every address it resolves to; the first one is the
 * address the request connects to. Throws WebhookRefusedError for a refused URL or address.
 */
export async function resolveTarget(
  raw: string,
  opts: { production: boolean; allowPrivate: boolean },
): Promise<Target> {
  const problem = urlProblem(raw, opts);
  if (problem) throw new WebhookRefusedError(`URL ${problem}`);
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = net.isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await lookup(host, { all: true, verbatim: true }).catch((err: NodeJS.ErrnoException) => {
        // Not found is the receiver's DNS problem (it may come back): a retryable failure.
        throw new Error(`DNS lookup of ${host} failed: ${err.code ?? err.message}`);
      });
  if (!addresses.length) throw new Error(`DNS lookup of ${host} returned no address`);
  if (!opts.allowPrivate) {
    for (const a of addresses) {
      const reason = blockedReason(a.address);
      if (reason)
        throw new WebhookRefusedError(
          `${host} resolves to ${a.address} (${reason}); refused (WEBHOOK_ALLOW_PRIVATE is off)`,
        );
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

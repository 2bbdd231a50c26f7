// The client address: used for rate limits and login throttling, and stored with a submission (an
// `inet` column). Which X-Forwarded-For entries count is decided by proxy-addr (through Express's
// `trust proxy`, set from TRUST_PROXY); this file only cleans up the address it picked and turns
// an address into the bucket the per-address limits count it in.
import { isIP } from 'node:net';
import type { Request } from 'express';
import proxyaddr from 'proxy-addr';

/**
 * TRUST_PROXY, parsed: false (trust nothing: the socket is the client), true (one hop: the
 * address our proxy appended), a hop count, or proxy-addr addresses / CIDRs / names
 * (`loopback`, `linklocal`, `uniquelocal`): every trusted hop is skipped from the right.
 */
export type TrustProxySetting = boolean | number | string[];

/** The `trust proxy` function for Express: (address, hop index) → is that hop a proxy of ours? */
export function compileTrustProxy(setting: TrustProxySetting): (addr: string, i: number) => boolean {
  if (Array.isArray(setting)) return proxyaddr.compile(setting);
  // `true` means one hop here, NOT Express's "trust everything": that would take the left-most
  // X-Forwarded-For entry, which the client writes itself.
  const hops = setting === true ? 1 : setting === false ? 0 : setting;
  return (_addr, i) => i < hops;
}

const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/;
const BRACKETED_IPV6 = /^\[([0-9a-f:.]+(?:%[^\]]*)?)\](?::\d+)?$/i;
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
// An IPv6 zone id ("fe80::1%eth0"): node's isIP accepts it, PostgreSQL's inet does not (a 500).
// It only names the interface on the proxy's own host, so the address without it is the client.
const withoutZone = (ip: string) => (ip.includes(':') ? ip.replace(/%.*$/, '') : ip);
// A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they are IPv4 clients.
const unmapped = (ip: string) => IPV4_MAPPED.exec(ip)?.[1] ?? ip;

function plainAddress(raw: string): string | null {
  const candidate = raw.trim();
  const withoutPort = IPV4_WITH_PORT.exec(candidate)?.[1] ?? BRACKETED_IPV6.exec(candidate)?.[1] ?? candidate;
  const address = unmapped(withoutZone(withoutPort));
  // isIP also accepts a zone id; once stripped, what is left must be a plain address.
  return isIP(address) && !address.includes('%') ? address : null;
}

/**
 * req.ip (proxy-addr's pick under TRUST_PROXY), or the socket's address when that is not an IP
 * address. A trusted X-Forwarded-For entry may carry a port ("1.2.3.4:5678", "[::1]:443") or plain
 * junk; junk must neither fail the insert (500) nor become a fresh rate-limit bucket per request.
 */
export function clientIp(req: Request): string {
  return plainAddress(req.ip ?? '') ?? plainAddress(req.socket.remoteAddress ?? '') ?? '0.0.0.0';
}

/** The eight 16-bit groups of a valid IPv6 address. */
function ipv6Groups(ip: string): number[] {
  // The URL parser normalises every spelling (upper case, embedded IPv4, zeros) to one form.
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The bucket an address is counted in by every per-address limit (submit rate limits, login
 * throttling). IPv4: the address. IPv6: its first `ipv6PrefixLength` bits (IPV6_PREFIX_LENGTH,
 * default 64), because one subscriber or server usually holds a whole /64 and can use a fresh
 * address per request. IPv4-mapped IPv6 counts as the IPv4 address.
 */
export function limitBucket(ip: string, ipv6PrefixLength: number): string {
  const address = unmapped(withoutZone(ip));
  if (isIP(address) !== 6) return address;
  const masked = ipv6Groups(address).map((group, i) => {
    const keep = Math.min(16, Math.max(0, ipv6PrefixLength - i * 16));
    return group & ((0xffff << (16 - keep)) & 0xffff);
  });
  return `${masked.map((g) => g.toString(16)).join(':')}/${ipv6PrefixLength}`;
}

// IP address helpers without any HTTP in them: the services that count per address (login
// throttling, submit rate limits) use them as much as the request code that reads the address.
import { isIP } from 'node:net';

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
// An IPv6 zone id ("fe80::1%eth0"): node's isIP accepts it, PostgreSQL's inet does not (a 500).
// It only names the interface on the proxy's own host, so the address without it is the client.
export const withoutZone = (ip: string) => (ip.includes(':') ? ip.replace(/%.*$/, '') : ip);
// A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they are IPv4 clients.
export const unmapped = (ip: string) => IPV4_MAPPED.exec(ip)?.[1] ?? ip;

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

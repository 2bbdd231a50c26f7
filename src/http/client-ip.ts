// The client address used for rate limits and stored with a submission (an `inet` column).
import { isIP } from 'node:net';
import type { Request } from 'express';

const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/;
const BRACKETED_IPV6 = /^\[([0-9a-f:.]+(?:%[^\]]*)?)\](?::\d+)?$/i;
// An IPv6 zone id ("fe80::1%eth0"): node's isIP accepts it, PostgreSQL's inet does not (a 500).
// It only names the interface on the proxy's own host, so the address without it is the client.
const withoutZone = (ip: string) => (ip.includes(':') ? ip.replace(/%.*$/, '') : ip);

/**
 * req.ip, or the socket's address when req.ip is not an IP address. With TRUST_PROXY the value
 * comes from X-Forwarded-For, which may carry a port ("1.2.3.4:5678", "[::1]:443") or plain junk;
 * junk must neither fail the insert (500) nor become a fresh rate-limit bucket per request.
 */
export function clientIp(req: Request): string {
  const socketIp = withoutZone(req.socket.remoteAddress ?? '0.0.0.0');
  const candidate = (req.ip ?? '').trim();
  const withoutPort = IPV4_WITH_PORT.exec(candidate)?.[1] ?? BRACKETED_IPV6.exec(candidate)?.[1] ?? candidate;
  const address = withoutZone(withoutPort);
  // isIP also accepts a zone id; once stripped, what is left must be a plain address.
  if (isIP(address) && !address.includes('%')) return address;
  return isIP(socketIp) ? socketIp : '0.0.0.0';
}

// The client address: used for rate limits and login throttling, and stored with a submission (an
// `inet` column). Which X-Forwarded-For entries count is decided by proxy-addr (through Express's
// `trust proxy`, set from TRUST_PROXY); this file only cleans up the address it picked
// (src/shared/addresses.ts turns an address into the bucket the per-address limits count it in).
import { isIP } from 'node:net';
import type { Request } from 'express';
import proxyaddr from 'proxy-addr';
import { unmapped, withoutZone } from '../shared/addresses.js';

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
